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
    void aQueryStringThatCannotBeDecodedIsA400() throws java.io.IOException {
        var owner = api().register();
        var key = api().post("/api/api-keys", owner.token(), "{\"name\":\"k\"}")
                .json()
                .path("key")
                .asString();

        var api = raw("/api/search?q=%zz", owner.token());
        var notUtf8 = raw("/api/search?q=%C3%28", owner.token());
        var v1 = raw("/v1/models?x=%", key);
        var fine = raw("/api/search?q=caf%C3%A9+au+lait", owner.token());

        assertThat(api).startsWith("HTTP/1.1 400").contains("malformed-query");
        assertThat(notUtf8).startsWith("HTTP/1.1 400").contains("not UTF-8");
        assertThat(v1).startsWith("HTTP/1.1 400").contains("\"type\":\"invalid_request_error\"");
        assertThat(fine).startsWith("HTTP/1.1 200");
    }

    /** A GET sent as bytes on a socket: no HTTP client sends a malformed query string. */
    private String raw(String target, String token) throws java.io.IOException {
        try (var socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            var request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
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
