package dev.colloquy.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Replica;
import dev.colloquy.TestRedis;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one PostgreSQL and one Redis: an account an admin disables or deletes through one
 * replica is shut out of the other at once, although the other had its session and key cached.
 */
class AccountLifecycleReplicasIT {

    private static Replica first;
    private static Replica second;

    @BeforeAll
    static void start() {
        var shared = Map.of(
                "spring.data.redis.url",
                TestRedis.get().url(),
                "colloquy.cache.key-prefix",
                TestRedis.get().prefix() + "-lifecycle");
        first = Replica.start(shared);
        second = Replica.start(shared);
    }

    @AfterAll
    static void stop() {
        first.close();
        second.close();
    }

    @Test
    void anAccountDisabledThroughOneReplicaIsShutOutOfTheOtherAtOnce() {
        var admin = first.api().admin();
        var user = first.api().register();
        var key = keyOf(user);
        assertThat(second.api().get("/api/me", user.token()).status()).isEqualTo(200);
        assertThat(second.api().get("/v1/models", key).status()).isEqualTo(200);

        var disabled = first.api().post("/api/admin/users/" + user.id() + "/disable", admin.token(), "{}");

        assertThat(disabled.status()).isEqualTo(200);
        assertThat(second.api().get("/api/me", user.token()).status()).isEqualTo(401);
        assertThat(second.api().get("/v1/models", key).status()).isEqualTo(401);
    }

    @Test
    void anAccountDeletedThroughOneReplicaIsGoneFromTheOtherAtOnce() {
        var admin = first.api().admin();
        var user = first.api().register();
        var key = keyOf(user);
        var conversation = first.api()
                .post("/api/conversations", user.token(), "{\"title\":\"kept in a cache\"}")
                .json()
                .path("id")
                .asString();
        assertThat(second.api()
                        .get("/api/conversations/" + conversation, user.token())
                        .status())
                .isEqualTo(200);
        assertThat(second.api().get("/v1/models", key).status()).isEqualTo(200);

        var deleted = first.api().send("DELETE", "/api/admin/users/" + user.id(), admin.token(), null, Map.of());

        assertThat(deleted.status()).isEqualTo(204);
        assertThat(second.api()
                        .get("/api/conversations/" + conversation, user.token())
                        .status())
                .isEqualTo(401);
        assertThat(second.api().get("/v1/models", key).status()).isEqualTo(401);
        assertThat(second.api()
                        .get("/api/conversations/" + conversation, admin.token())
                        .status())
                .as("and what it owned is gone")
                .isEqualTo(404);
    }

    /** An API key of the account, made through the first replica. */
    private static String keyOf(dev.colloquy.Api.Account user) {
        return first.api()
                .post("/api/api-keys", user.token(), "{\"name\":\"client\"}")
                .json()
                .path("key")
                .asString();
    }
}
