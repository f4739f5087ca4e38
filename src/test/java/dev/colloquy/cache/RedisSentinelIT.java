package dev.colloquy.cache;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link CrossReplicaContract} on Redis with Sentinel, run here on loopback ({@link LoopbackRedis}):
 * a master, a replica and three sentinels (quorum 2, the master down after 2 s), the service's
 * replicas finding the master through the sentinels. Then the master is killed under load and a
 * sentinel promotes the replica.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisSentinelIT extends CrossReplicaContract {

    private static LoopbackRedis redis;
    private static Process master;
    private static int replicaPort;
    private static final List<Integer> sentinels = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        redis = new LoopbackRedis("redis-sentinel");
        int masterPort = LoopbackRedis.freePort();
        replicaPort = LoopbackRedis.freePort();
        master = redis.start(masterPort, redis.plain(masterPort));
        var replica = redis.plain(replicaPort);
        replica.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(masterPort)));
        redis.start(replicaPort, replica);
        LoopbackRedis.await(replicaPort, "master_link_status:up", "info", "replication");
        for (int i = 0; i < 3; i++) {
            int port = LoopbackRedis.freePort();
            sentinels.add(port);
            // a sentinel rewrites its configuration file: one of its own, writable
            var configuration = redis.directory(port).resolve("sentinel.conf");
            Files.writeString(configuration, """
                    port %d
                    bind 127.0.0.1
                    sentinel monitor colloquy 127.0.0.1 %d 2
                    sentinel down-after-milliseconds colloquy 2000
                    sentinel failover-timeout colloquy 10000
                    sentinel parallel-syncs colloquy 1
                    """.formatted(port, masterPort));
            redis.start(port, List.of(configuration.toString(), "--sentinel"));
        }
        for (int port : sentinels) {
            LoopbackRedis.await(port, "sentinels=3", "info", "sentinel");
        }
        startReplicas(
                Map.of(
                        "spring.data.redis.sentinel.master",
                        "colloquy",
                        "spring.data.redis.sentinel.nodes",
                        LoopbackRedis.nodes(sentinels)),
                "sentinel-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @AfterAll
    static void stop() throws Exception {
        closeReplicasThen(redis);
    }

    /** Last: the master killed (SIGKILL, by its process) under load; a sentinel promotes the replica. */
    @Test
    @Order(Integer.MAX_VALUE)
    void theMasterKilledUnderLoadCostsNoRequestAndTheCacheServesAgainAfterFailover() throws Exception {
        failoverUnderLoad(
                "sentinel",
                "Sentinel on loopback: a master, a replica, three sentinels (quorum 2, down after 2 s)",
                () -> {
                    master.destroyForcibly();
                    return true;
                },
                "the replica answers ROLE as master",
                () -> LoopbackRedis.cli(replicaPort, "role").startsWith("master"));
    }
}
