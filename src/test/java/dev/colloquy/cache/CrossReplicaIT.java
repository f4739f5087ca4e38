package dev.colloquy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Replica;
import dev.colloquy.TestRedis;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two replicas on one PostgreSQL and one Redis: a change through one is seen through the other. */
class CrossReplicaIT {

    private static Replica first;
    private static Replica second;

    @BeforeAll
    static void start() {
        var shared = Map.of(
                "spring.data.redis.url",
                TestRedis.get().url(),
                "colloquy.cache.key-prefix",
                TestRedis.get().prefix() + "-replicas");
        first = Replica.start(shared);
        second = Replica.start(shared);
    }

    @AfterAll
    static void stop() {
        first.close();
        second.close();
    }

    @Test
    void anUpdateThroughOneReplicaReachesTheOtherWithin100Milliseconds() {
        var account = first.api().register();
        var id = first.api()
                .post("/api/conversations", account.token(), "{\"title\":\"original\"}")
                .json()
                .get("id")
                .asString();
        second.api().get("/api/conversations/" + id, account.token());
        var cached = second.api().get("/api/conversations/" + id, account.token());

        var updated = first.api().patch("/api/conversations/" + id, account.token(), "{\"title\":\"renamed\"}");
        long changed = System.nanoTime();
        String seen;
        long elapsedMillis;
        do {
            seen = second.api()
                    .get("/api/conversations/" + id, account.token())
                    .json()
                    .get("title")
                    .asString();
            elapsedMillis = (System.nanoTime() - changed) / 1_000_000;
        } while (!seen.equals("renamed") && elapsedMillis < 1_000);

        assertThat(cached.header("X-Cache")).isEqualTo("HIT");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(seen).isEqualTo("renamed");
        assertThat(elapsedMillis).isLessThanOrEqualTo(100);
    }

    @Test
    void aLogoutOnOneReplicaEndsTheSessionOnTheOther() {
        var account = first.api().register();
        assertThat(second.api().get("/api/me", account.token()).status()).isEqualTo(200);

        first.api().post("/api/auth/logout", account.token(), "{}");
        long loggedOut = System.nanoTime();
        int status;
        long elapsedMillis;
        do {
            status = second.api().get("/api/conversations", account.token()).status();
            elapsedMillis = (System.nanoTime() - loggedOut) / 1_000_000;
        } while (status != 401 && elapsedMillis < 1_000);

        assertThat(status).isEqualTo(401);
        assertThat(elapsedMillis).isLessThanOrEqualTo(100);
    }
}
