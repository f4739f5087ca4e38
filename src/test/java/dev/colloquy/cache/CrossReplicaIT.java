package dev.colloquy.cache;

import dev.colloquy.TestRedis;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;

/** Two replicas on one PostgreSQL and one Redis server: {@link CrossReplicaContract}. */
class CrossReplicaIT extends CrossReplicaContract {

    @BeforeAll
    static void start() {
        startReplicas(
                Map.of("spring.data.redis.url", TestRedis.get().url()),
                TestRedis.get().prefix() + "-replicas");
    }
}
