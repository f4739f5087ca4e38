package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.FakeUpstream;
import dev.colloquy.IntegrationTest;
import org.junit.jupiter.api.Test;

/** An API key's own limits, and a model's upstream limits shared out so no user takes them all. */
class KeyAndModelLimitIT extends IntegrationTest {

    private final FakeUpstream upstream = FakeUpstream.get();

    private static final String HELLO = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";

    @Test
    void aKeyWithItsOwnLimitIsRefusedWhileTheOwnersOtherKeysAreServed() {
        var account = api().register();
        var limited = api().post(
                        "/api/api-keys",
                        account.token(),
                        "{\"name\":\"ci\",\"scope\":\"chat\",\"requestsPerMinute\":2}");
        assertThat(limited.status()).isEqualTo(201);
        assertThat(limited.json().get("requestsPerMinute").asInt()).isEqualTo(2);
        var limitedKey = limited.json().get("key").asString();
        var otherKey = key(account);

        var answers = new int[3];
        for (int i = 0; i < 3; i++) {
            answers[i] = api().post("/v1/chat/completions", limitedKey, HELLO.formatted("local"))
                    .status();
        }
        var refused = api().post("/v1/chat/completions", limitedKey, HELLO.formatted("local"));
        var other = api().post("/v1/chat/completions", otherKey, HELLO.formatted("local"));

        assertThat(answers).containsExactly(200, 200, 429);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(Integer.parseInt(refused.header("Retry-After"))).isBetween(1, 60);
        assertThat(refused.json().get("error").get("type").asString()).isEqualTo("rate_limit_error");
        assertThat(other.status()).isEqualTo(200);
        var listed = api().get("/api/api-keys", account.token()).json().get("items");
        assertThat(listed.toString()).contains("\"requestsPerMinute\":2");
    }

    @Test
    void oneUserGetsOnlyItsShareOfAModelsLimit() {
        var alice = key(api().register());
        var bob = key(api().register());
        var carol = key(api().register());
        int before = upstream.calls("metered");

        var alices = new int[3];
        for (int i = 0; i < 3; i++) {
            alices[i] = api().post("/v1/chat/completions", alice, HELLO.formatted("metered"))
                    .status();
        }
        var bobs = new int[2];
        for (int i = 0; i < 2; i++) {
            bobs[i] = api().post("/v1/chat/completions", bob, HELLO.formatted("metered"))
                    .status();
        }
        var carols = api().post("/v1/chat/completions", carol, HELLO.formatted("metered"));

        assertThat(alices).as("half of the model's 4 a minute").containsExactly(200, 200, 429);
        assertThat(bobs).as("Alice did not take Bob's share").containsExactly(200, 200);
        assertThat(carols.status()).as("the model's whole limit is used").isEqualTo(429);
        assertThat(carols.header("Retry-After")).isNotNull();
        assertThat(upstream.calls("metered") - before).isEqualTo(4);
    }

    @Test
    void anInvalidKeyLimitIsAProblem() {
        var account = api().register();
        var response = api().post("/api/api-keys", account.token(), "{\"name\":\"x\",\"requestsPerMinute\":0}");
        assertThat(response.status()).isEqualTo(422);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body()).contains("requestsPerMinute");
    }

    private String key(Api.Account account) {
        return api().post("/api/api-keys", account.token(), "{\"name\":\"limits\",\"scope\":\"chat\"}")
                .json()
                .get("key")
                .asString();
    }
}
