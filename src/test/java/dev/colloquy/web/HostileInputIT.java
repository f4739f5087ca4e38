package dev.colloquy.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Input no client should send: answered with a problem response of the right status, never a stack
 * trace, SQL or an internal host, and nothing stored.
 */
class HostileInputIT extends IntegrationTest {

    @Test
    void deeplyNestedJsonIsRefusedAsMalformed() {
        var account = api().register();
        var nested = "[".repeat(100_000) + "]".repeat(100_000);
        var response =
                api().send("POST", "/api/conversations", account.token(), "{\"title\":" + nested + "}", Map.of());
        assertProblem(response, 400);
    }

    @Test
    void invalidUtf8IsRefusedAsMalformed() {
        var account = api().register();
        byte[] body = {'{', '"', 't', 'i', 't', 'l', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        var response = api().sendRaw(
                        "POST",
                        "/api/conversations",
                        account.token(),
                        body,
                        Map.of("Content-Type", "application/json"));
        assertProblem(response, 400);
        assertThat(api().get("/api/conversations", account.token()).json().get("items"))
                .isEmpty();
    }

    @Test
    void anUnexpectedContentTypeIsRefused() {
        var account = api().register();
        var response = api().sendRaw(
                        "POST",
                        "/api/conversations",
                        account.token(),
                        "title=x".getBytes(StandardCharsets.UTF_8),
                        Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertProblem(response, 415);
    }

    @Test
    void sqlAndLikeWildcardsInSearchAreJustWords() {
        var account = api().register();
        for (var q :
                new String[] {"' or 1=1 --", "%_%", "\\", "a:* & !b", "\"unclosed", "') ; drop table messages; --"}) {
            var response = api().get(
                            "/api/search?q=" + java.net.URLEncoder.encode(q, StandardCharsets.UTF_8), account.token());
            assertThat(response.status()).as(q).isIn(200, 400);
            assertNoLeak(response);
        }
    }

    @Test
    void aForgedCursorIsA400NotAnotherPage() {
        var account = api().register();
        var response = api().get("/api/conversations?cursor=eyJmb3JnZWQiOnRydWV9.AAAA", account.token());
        assertProblem(response, 400);
    }

    @Test
    void hugeHeadersAreRefused() {
        var account = api().register();
        var response = api().get("/api/me", account.token(), Map.of("X-Padding", "x".repeat(40_000)));
        assertThat(response.status()).isIn(400, 431);
        assertNoLeak(response);
    }

    private static void assertProblem(Api.Response response, int status) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertNoLeak(response);
    }

    private static void assertNoLeak(Api.Response response) {
        assertThat(response.body())
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContain("SQLState")
                .doesNotContain("org.postgresql")
                .doesNotContain("tools.jackson");
    }
}
