package dev.colloquy.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.IntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** API keys that stop working at a set time. */
class ApiKeyExpiryIT extends IntegrationTest {

    @Autowired
    private JdbcClient jdbc;

    @Test
    void aKeyWorksUntilItExpiresAndSaysWhen() {
        var owner = api().register();
        var created = api().post("/api/api-keys", owner.token(), "{\"name\":\"ci\",\"expiresInDays\":30}");

        assertThat(created.status()).isEqualTo(201);
        var expiresAt = Instant.parse(created.json().path("expiresAt").asString());
        assertThat(expiresAt)
                .isBetween(
                        Instant.now().plus(Duration.ofDays(29)), Instant.now().plus(Duration.ofDays(31)));
        assertThat(api().get("/api/api-keys", owner.token())
                        .json()
                        .path("items")
                        .get(0)
                        .path("expiresAt")
                        .asString())
                .isEqualTo(created.json().path("expiresAt").asString());
        var key = created.json().path("key").asString();
        assertThat(api().get("/v1/models", key).status()).isEqualTo(200);
    }

    @Test
    void anExpiredKeyIsRefused() {
        var owner = api().register();
        var created = api().post("/api/api-keys", owner.token(), "{\"name\":\"old\",\"expiresInDays\":1}")
                .json();
        jdbc.sql("update api_keys set expires_at = now() - interval '1 second' where id = :id")
                .param("id", UUID.fromString(created.path("id").asString()))
                .update();

        var response = api().get("/v1/models", created.path("key").asString());

        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void refusesAnExpiryOutOfRange() {
        var owner = api().register();

        assertThat(api().post("/api/api-keys", owner.token(), "{\"name\":\"k\",\"expiresInDays\":0}")
                        .status())
                .isEqualTo(422);
        assertThat(api().post("/api/api-keys", owner.token(), "{\"name\":\"k\",\"expiresInDays\":99999}")
                        .status())
                .isEqualTo(422);
    }
}
