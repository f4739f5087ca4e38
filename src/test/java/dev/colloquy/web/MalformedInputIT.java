package dev.colloquy.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bodies sent as forms with broken percent escapes or bytes that are not UTF-8, and broken query
 * strings: the class of input that reached a 500 when the container parsed form bodies on the first
 * parameter lookup. Each is a 4xx with a problem (or on {@code /v1} an OpenAI error) and the owner's
 * conversation is unchanged.
 */
class MalformedInputIT extends IntegrationTest {

    private static final List<byte[]> FORM_BODIES = List.of(
            "x=%zz".getBytes(StandardCharsets.US_ASCII),
            "a=1&b=%".getBytes(StandardCharsets.US_ASCII),
            "{\"title\":\"100% sure\"}".getBytes(StandardCharsets.UTF_8),
            new byte[] {'t', '=', (byte) 0xC3, (byte) 0x28, '&', 'u', '=', (byte) 0xFF});

    @Test
    void formBodiesThatCannotBeDecodedAreRefusedCleanlyOnEveryKindOfRoute() {
        var owner = api().register();
        var key = api().post("/api/api-keys", owner.token(), "{\"name\":\"k\"}")
                .json()
                .path("key")
                .asString();
        var conversation = api().post("/api/conversations", owner.token(), "{\"title\":\"mine\"}")
                .json()
                .path("id")
                .asString();
        var problems = new ArrayList<String>();

        for (var body : FORM_BODIES) {
            for (var contentType : List.of(
                    "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=ISO-8859-1")) {
                var headers = Map.of("Content-Type", contentType);
                check(
                        problems,
                        "PATCH conversation",
                        api().sendRaw("PATCH", "/api/conversations/" + conversation, owner.token(), body, headers),
                        false);
                check(
                        problems,
                        "POST conversation",
                        api().sendRaw("POST", "/api/conversations", owner.token(), body, headers),
                        false);
                check(
                        problems,
                        "POST chat completions",
                        api().sendRaw("POST", "/v1/chat/completions", key, body, headers),
                        true);
                check(problems, "POST embeddings", api().sendRaw("POST", "/v1/embeddings", key, body, headers), true);
                check(problems, "POST messages", api().sendRaw("POST", "/v1/messages", key, body, headers), false);
            }
        }

        assertThat(problems).isEmpty();
        assertThat(api().get("/api/conversations/" + conversation, owner.token())
                        .json()
                        .path("title")
                        .asString())
                .isEqualTo("mine");
    }

    @Test
    void aQueryStringThatCannotBeDecodedIsA400() {
        var owner = api().register();
        var key = api().post("/api/api-keys", owner.token(), "{\"name\":\"k\"}")
                .json()
                .path("key")
                .asString();

        var api = get("/api/search?q=%zz", owner.token());
        var notUtf8 = get("/api/search?q=%C3%28", owner.token());
        var v1 = get("/v1/models?x=%", key);
        var fine = get("/api/search?q=caf%C3%A9+au+lait", owner.token());

        assertThat(api.status()).isEqualTo(400);
        assertThat(api.body()).contains("malformed-query");
        assertThat(notUtf8.status()).isEqualTo(400);
        assertThat(notUtf8.body()).contains("not UTF-8");
        assertThat(v1.status()).isEqualTo(400);
        assertThat(v1.body()).contains("\"type\":\"invalid_request_error\"");
        assertThat(fine.status()).isEqualTo(200);
    }

    @Test
    void whatInputFuzzItFoundIsAnsweredByTheRouteInItsOwnShape() {
        var owner = api().register();
        var key = api().post("/api/api-keys", owner.token(), "{\"name\":\"k\"}")
                .json()
                .path("key")
                .asString();

        // a multipart Content-Type on a route that takes no upload: not parsed, so not refused
        var models = api().sendWire(
                        "GET",
                        "/v1/models",
                        key,
                        Map.of("Content-Type", "multipart/form-data; boundary=x"),
                        "--x\r\n\r\nbroken".getBytes(StandardCharsets.US_ASCII));
        // brackets unencoded in a query reach the route, which judges the value
        var brackets = get("/api/conversations?limit=[]", owner.token());
        // a path Tomcat refuses itself (an encoded slash) under /v1: the OpenAI error, not a problem
        var slash = get("/v1/models/..%2F..%2Fetc", key);
        var slashMessages = api().sendWire(
                        "POST",
                        "/v1/messages/..%2Fx",
                        key,
                        Map.of("Content-Type", "application/json"),
                        "{}".getBytes());

        assertThat(models.status()).isEqualTo(200);
        assertThat(models.body()).contains("\"object\":\"list\"");
        assertThat(brackets.status()).isEqualTo(400);
        assertThat(brackets.contentType()).startsWith("application/problem+json");
        assertThat(brackets.body()).contains("limit");
        assertThat(slash.status()).isEqualTo(400);
        assertThat(slash.body()).contains("\"error\":{\"message\"").contains("invalid_request_error");
        assertThat(slashMessages.status()).isEqualTo(400);
        assertThat(slashMessages.body()).contains("\"type\":\"error\"");
    }

    /** A GET sent as bytes on a socket: no HTTP client sends a malformed query string. */
    private Api.Response get(String target, String token) {
        return api().sendWire("GET", target, token, Map.of(), null);
    }

    private static void check(List<String> problems, String what, Api.Response response, boolean openAi) {
        var body = response.body();
        if (response.status() >= 500) {
            problems.add(what + ": " + response.status() + " " + body);
        } else if (response.status() < 400) {
            problems.add(what + ": accepted with " + response.status());
        } else if (openAi
                ? !response.json().path("error").has("message")
                : !body.contains("\"status\"") && !body.contains("\"type\"")) {
            problems.add(what + ": no problem body: " + body);
        }
        if (body.contains("Exception") || body.contains("at org.") || body.contains("at dev.")) {
            problems.add(what + ": leaks internals: " + body);
        }
    }
}
