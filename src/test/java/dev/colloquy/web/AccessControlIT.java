package dev.colloquy.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Every route the service maps, read from Spring MVC itself so a new route is covered the day it is
 * added, called as an anonymous client, as another user, with a chat-scoped API key, and as a user on
 * admin routes. Without credentials: 401. Another user's resource: 404, exactly like a missing one,
 * and it is still there afterwards. A chat-scoped key outside {@code /v1}: 403. Admin routes for a
 * non-admin: 403. Every answer carries the security headers and no stack trace. Then every route
 * again with hostile input (broken, mistyped, huge, nested and non-UTF-8 bodies, wrong content types,
 * control characters, path-traversal and SQL in path variables, nonsense query values): a 4xx
 * problem, never a 5xx, and the owner's data unchanged.
 */
class AccessControlIT extends IntegrationTest {

    /** Routes anyone may call. */
    private static final Set<String> PUBLIC = Set.of(
            "POST /api/auth/register",
            "POST /api/auth/login",
            "GET /api/auth/providers",
            "GET /",
            "GET /index.html",
            "GET /assets/{name}",
            "GET /error");

    /** A valid body per route, so validation cannot answer before the ownership check does. */
    private static final Map<String, String> BODIES = Map.of(
            "POST /api/conversations/{conversationId}/messages", "{\"content\":\"hello\"}",
            "POST /api/conversations/{conversationId}/messages/import",
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}",
            "PATCH /api/conversations/{id}", "{\"title\":\"taken over\"}",
            "POST /api/api-keys", "{\"name\":\"k\"}",
            "POST /api/conversations", "{}",
            "POST /api/documents/search", "{\"query\":\"backups\"}",
            "POST /api/admin/cache/invalidate", "{\"pattern\":\"nothing-here:*\"}",
            "POST /v1/chat/completions", "{\"model\":\"local\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "POST /v1/embeddings", "{\"model\":\"test-model\",\"input\":\"hi\"}");

    private static final byte[] ONE_PIXEL_PNG = java.util.Base64.getDecoder()
            .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z]+)}");
    private static final String MESSAGE = "{messageId}";
    private static final String IMAGE = "{imageId}";

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping mappings;

    @Test
    void everyRouteRefusesTheWrongCallerAndLeaksNothing() {
        var routes = routes();
        assertThat(routes).hasSizeGreaterThan(30);
        var owner = api().register();
        var stranger = api().register();
        var conversation = api().post("/api/conversations", owner.token(), "{\"title\":\"mine\"}")
                .json()
                .get("id")
                .asString();
        var document = api().upload("/api/documents", owner.token(), "mine.md", "# Mine\n\nMy own words.".getBytes())
                .json()
                .get("id")
                .asString();
        var key = api().post("/api/api-keys", owner.token(), "{\"name\":\"mine\"}")
                .json()
                .get("id")
                .asString();
        var chatKey = api().post("/api/api-keys", stranger.token(), "{\"name\":\"bot\",\"scope\":\"chat\"}")
                .json()
                .get("key")
                .asString();
        api().post(
                        "/api/conversations/" + conversation + "/messages/import",
                        owner.token(),
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"my question\"}]}");
        var message = api().get("/api/conversations/" + conversation + "/messages", owner.token())
                .json()
                .get("items")
                .get(0)
                .get("id")
                .asString();
        // an image in the owner's conversation, asked about with a model that takes images
        api().patch("/api/conversations/" + conversation, owner.token(), "{\"model\":\"seeing\"}");
        var image = api().postForm(
                        "/api/conversations/" + conversation + "/messages",
                        owner.token(),
                        Map.of("content", "what is this?"),
                        "image",
                        List.of(ONE_PIXEL_PNG),
                        "pixel.png",
                        Map.of())
                .json()
                .get("userMessage")
                .get("images")
                .get(0)
                .get("id")
                .asString();
        var ids = Map.of(
                MESSAGE,
                message,
                IMAGE,
                image,
                "/api/conversations",
                conversation,
                "/api/documents",
                document,
                "/api/api-keys",
                key,
                // the admin's account routes act on an account of their own, not on the owner's
                "/api/admin/users",
                api().register().id().toString());
        var problems = new ArrayList<String>();
        int ownerChecked = 0;

        for (var route : routes) {
            var path = concrete(route.pattern(), ids);
            var body = BODIES.getOrDefault(
                    route.key(), route.method().equals("POST") || route.method().equals("PATCH") ? "{}" : null);
            var anonymous = call(route.method(), path, null, body);
            check(problems, route, "anonymous", anonymous);
            if (!PUBLIC.contains(route.key())) {
                expect(problems, route, "anonymous", anonymous, 401);
            }
            if (route.pattern().startsWith("/api/") && !PUBLIC.contains(route.key())) {
                var withChatKey = call(route.method(), path, chatKey, body);
                check(problems, route, "chat-scoped key", withChatKey);
                expect(problems, route, "chat-scoped key", withChatKey, 403);
            }
            if (route.pattern().startsWith("/api/admin/")) {
                var user = call(route.method(), path, stranger.token(), body);
                check(problems, route, "non-admin", user);
                expect(problems, route, "non-admin", user, 403);
                var admin = call(route.method(), path, api().admin().token(), body);
                if (admin.status() == 401 || admin.status() == 403) {
                    problems.add(route.key() + " as admin: " + admin.status());
                }
            } else if (route.pattern().startsWith("/api/")
                    && VARIABLE.matcher(route.pattern()).find()) {
                var other = call(route.method(), path, stranger.token(), body);
                check(problems, route, "another user", other);
                expect(problems, route, "another user", other, 404);
                if (route.method().equals("GET") && !route.pattern().contains("{chunkId}")) {
                    // the same path answers its owner: the 404 above is about ownership, not a wrong path
                    expect(problems, route, "the owner", call("GET", path, owner.token(), null), 200);
                    ownerChecked++;
                }
            }
        }

        assertThat(problems).isEmpty();
        assertThat(ownerChecked).as("owner-reachable resource routes").isGreaterThanOrEqualTo(3);
        assertThat(api().get("/api/conversations/" + conversation, owner.token())
                        .status())
                .as("the owner's conversation survived the stranger's PATCH and DELETE")
                .isEqualTo(200);
        assertThat(api().get("/api/conversations/" + conversation, owner.token())
                        .json()
                        .get("title")
                        .asString())
                .isEqualTo("mine");
        assertThat(api().get("/api/documents/" + document, owner.token()).status())
                .isEqualTo(200);
        assertThat(api().get("/api/api-keys", owner.token()).body()).contains(key);
    }

    /** Bodies no route should take: each must be refused with a 4xx problem, never a 5xx. */
    private static final List<byte[]> HOSTILE_BODIES = List.of(
            "{\"title\":".getBytes(StandardCharsets.UTF_8),
            "[1,2,3]".getBytes(StandardCharsets.UTF_8),
            ("{\"title\":12345,\"content\":{\"x\":1},\"messages\":\"none\",\"query\":[],\"model\":false,"
                            + "\"name\":null,\"k\":\"many\",\"input\":{},\"scope\":7}")
                    .getBytes(StandardCharsets.UTF_8),
            ("{\"content\":\"" + "x".repeat(2_000_000) + "\"}").getBytes(StandardCharsets.UTF_8),
            "[".repeat(50_000).getBytes(StandardCharsets.UTF_8),
            new byte[] {'{', '"', 't', 'i', 't', 'l', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});

    /** Control characters, a NUL and a lone surrogate, put into every string of a route's valid body. */
    private static final String CONTROL_CHARACTERS = "a\\u0000b\\u0007\\u001b[2J\\ud800\\u202e";

    /** Path variables and query values no route should choke on. */
    private static final List<String> HOSTILE_IDS =
            List.of("..%2F..%2Fetc%2Fpasswd", "%00", "%27%20or%201%3D1--", "x".repeat(5_000), "-1", "%E2%80%AE");

    private static final List<String> HOSTILE_QUERIES = List.of(
            "?limit=-1",
            "?limit=99999999999999",
            "?cursor=%00%FF",
            "?q=%27%3B%20drop%20table%20users--",
            "?limit=1&limit=2",
            "?from=2026-13-45&to=yesterday");

    @Test
    void everyRouteRefusesHostileInputWithAProblemAndNever5xx() {
        var owner = api().register();
        var ids = Map.of(
                "/api/admin/users",
                api().register().id().toString(),
                "/api/conversations",
                api().post("/api/conversations", owner.token(), "{\"title\":\"mine\"}")
                        .json()
                        .get("id")
                        .asString(),
                "/api/documents",
                api().upload("/api/documents", owner.token(), "mine.md", "# Mine\n\nWords.".getBytes())
                        .json()
                        .get("id")
                        .asString(),
                "/api/api-keys",
                api().post("/api/api-keys", owner.token(), "{\"name\":\"mine\"}")
                        .json()
                        .get("id")
                        .asString());
        var problems = new ArrayList<String>();
        int calls = 0;
        for (var route : routes()) {
            if (route.key().equals("POST /api/auth/logout")) {
                continue; // it reads no body, and would end the owner's session
            }
            var path = concrete(route.pattern(), ids);
            var token =
                    route.pattern().startsWith("/api/admin/") ? api().admin().token() : owner.token();
            if (route.method().equals("POST") || route.method().equals("PATCH")) {
                for (var body : HOSTILE_BODIES) {
                    var response = api().sendRaw(
                                    route.method(), path, token, body, Map.of("Content-Type", "application/json"));
                    refused(problems, route, "a hostile body", response);
                    calls++;
                }
                var text = api().sendRaw(
                                route.method(),
                                path,
                                token,
                                "title=x".getBytes(),
                                Map.of("Content-Type", "text/plain"));
                refused(problems, route, "text/plain", text);
                calls++;
                if (BODIES.containsKey(route.key())) {
                    // taken or refused, but never a 5xx: PostgreSQL refuses NUL in text, say
                    var controls = BODIES.get(route.key())
                            .replaceAll(":\"[^\"]*\"", Matcher.quoteReplacement(":\"" + CONTROL_CHARACTERS + "\""));
                    var response = call(route.method(), path, token, controls);
                    check(problems, route, "control characters", response);
                    if (response.status() >= 500) {
                        problems.add(
                                route.key() + " with control characters: " + response.status() + " " + response.body());
                    }
                    calls++;
                }
            }
            if (VARIABLE.matcher(route.pattern()).find() && !route.pattern().startsWith("/assets/")) {
                for (var id : HOSTILE_IDS) {
                    var hostilePath = VARIABLE.matcher(route.pattern()).replaceFirst(Matcher.quoteReplacement(id));
                    hostilePath = concrete(hostilePath, ids);
                    var body = route.method().equals("POST") || route.method().equals("PATCH") ? "{}" : null;
                    var response = call(route.method(), hostilePath, token, body);
                    refused(problems, route, "path " + id.substring(0, Math.min(20, id.length())), response);
                    calls++;
                }
            }
            if (route.method().equals("GET")) {
                for (var query : HOSTILE_QUERIES) {
                    var response = call("GET", path + query, token, null);
                    check(problems, route, "query " + query, response);
                    if (response.status() >= 500) {
                        problems.add(route.key() + query + ": " + response.status());
                    }
                    calls++;
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(calls).as("hostile calls made").isGreaterThan(200);
        assertThat(api().get("/api/conversations/" + ids.get("/api/conversations"), owner.token())
                        .json()
                        .get("title")
                        .asString())
                .as("nothing hostile changed the owner's data")
                .isEqualTo("mine");
    }

    /** A 4xx problem without internals: the input was refused, not half-taken, and nothing broke. */
    private static void refused(List<String> problems, Route route, String what, Api.Response response) {
        check(problems, route, what, response);
        if (response.status() < 400 || response.status() >= 500) {
            problems.add(route.key() + " with " + what + ": " + response.status() + " "
                    + response.body().substring(0, Math.min(200, response.body().length())));
        }
    }

    private List<Route> routes() {
        return Route.all(mappings);
    }

    /** The pattern with the owner's ids filled in; a variable this test does not know fails it. */
    private static String concrete(String pattern, Map<String, String> ids) {
        Matcher m = VARIABLE.matcher(pattern);
        var out = new StringBuilder();
        while (m.find()) {
            var before = pattern.substring(0, m.start());
            String value = switch (m.group(1)) {
                case "id", "conversationId" ->
                    ids.entrySet().stream()
                            .filter(e -> before.startsWith(e.getKey() + "/"))
                            .map(Map.Entry::getValue)
                            .findFirst()
                            .orElseThrow(() -> new AssertionError("no resource for " + pattern));
                case "chunkId" -> UUID.randomUUID().toString();
                // a message of the owner's conversation where the test has one, so a 404 is about ownership
                case "messageId" -> ids.getOrDefault(MESSAGE, UUID.randomUUID().toString());
                case "imageId" -> ids.getOrDefault(IMAGE, UUID.randomUUID().toString());
                case "name" -> "app.0000000000.js";
                default -> throw new AssertionError("AccessControlIT does not know {" + m.group(1) + "} in " + pattern);
            };
            m.appendReplacement(out, value);
        }
        m.appendTail(out);
        return out.toString();
    }

    private Api.Response call(String method, String path, String token, String body) {
        var api = api();
        return body == null
                ? api.send(method, path, token, null, Map.of())
                : api.send(method, path, token, body, Map.of());
    }

    private static void expect(List<String> problems, Route route, String who, Api.Response response, int status) {
        if (response.status() != status) {
            problems.add(route.key() + " as " + who + ": expected " + status + ", got " + response.status() + " "
                    + response.body().substring(0, Math.min(200, response.body().length())));
        }
    }

    /** What every answer must be, whoever asked: no stack trace, no SQL, the security headers. */
    private static void check(List<String> problems, Route route, String who, Api.Response response) {
        var body = response.contentType().startsWith("text/html") ? "" : response.body();
        if (body.contains("Exception")
                || body.contains("\tat ")
                || body.contains("SQLState")
                || body.contains("select ")) {
            problems.add(route.key() + " as " + who + " leaks internals: "
                    + body.substring(0, Math.min(200, body.length())));
        }
        if (!"nosniff".equals(response.header("X-Content-Type-Options"))
                || response.header("Content-Security-Policy") == null) {
            problems.add(route.key() + " as " + who + ": missing security headers");
        }
        if (response.status() >= 400 && !route.pattern().startsWith("/v1/")) {
            if (!response.contentType().startsWith("application/problem+json")) {
                problems.add(route.key() + " as " + who + ": " + response.status() + " is not a problem response");
            }
        }
    }
}
