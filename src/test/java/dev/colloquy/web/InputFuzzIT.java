package dev.colloquy.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.ColloquyApplication;
import dev.colloquy.TestDatabase;
import dev.colloquy.TestRedis;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Generated hostile input for every route the service maps (read from Spring MVC, as
 * {@link AccessControlIT} reads them) and every method it allows: bodies of every content type
 * (JSON, form, multipart, text, none, wrong charsets), malformed encodings (broken percent escapes,
 * bytes that are not UTF-8, NUL, lone surrogates), the route's own valid body with a field of the
 * wrong type, huge or negative, deep nesting, very long strings, query strings of the same, and path
 * variables that are not ids. Every answer: no 5xx but a 503 with {@code Retry-After}; an error is a
 * problem ({@code /api}) or an OpenAI- or Anthropic-shaped error ({@code /v1}); no stack trace,
 * class, SQL or library name; and a refused call leaves the caller's data as it was, and another
 * user's data is never touched. jqwik shrinks a failure to the smallest input that still fails.
 *
 * <p>The seed is fixed and the tries are 300 ({@code junit-platform.properties}); a longer run goes on
 * past those calls to new ones: {@code ./mvnw verify -Dit.test=InputFuzzIT -Djqwik.tries.default=5000},
 * and {@code -Dcolloquy.fuzz.seed=N} (or {@code random}) sends other inputs altogether. The service runs
 * on a database of its own.
 */
class InputFuzzIT {

    /** Calls that end the caller's session or account: sent as a fresh account each time. */
    private static final Set<String> DISPOSABLE_CALLER =
            Set.of("POST /api/auth/logout", "DELETE /api/me", "POST /api/me/password");

    /** A valid body per route; the generator breaks it one field at a time. */
    private static final Map<String, String> BODIES = Map.ofEntries(
            Map.entry(
                    "POST /api/conversations/{conversationId}/messages", "{\"content\":\"hello\",\"model\":\"local\"}"),
            Map.entry(
                    "POST /api/conversations/{conversationId}/messages/import",
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"),
            Map.entry("PATCH /api/conversations/{id}", "{\"title\":\"renamed\",\"model\":\"local\"}"),
            Map.entry("POST /api/api-keys", "{\"name\":\"k\",\"expiresInDays\":30}"),
            Map.entry("POST /api/conversations", "{\"title\":\"t\",\"model\":\"local\"}"),
            Map.entry("POST /api/documents/search", "{\"query\":\"backups\",\"k\":5}"),
            Map.entry("POST /api/admin/cache/invalidate", "{\"pattern\":\"nothing-here:*\"}"),
            Map.entry("POST /api/auth/register", "{\"email\":\"a@b.test\",\"password\":\"correct horse battery\"}"),
            Map.entry("POST /api/auth/login", "{\"email\":\"a@b.test\",\"password\":\"correct horse battery\"}"),
            Map.entry("POST /api/me/password", "{\"currentPassword\":\"x\",\"newPassword\":\"y\"}"),
            Map.entry("POST /api/admin/invites", "{\"email\":\"c@d.test\"}"),
            Map.entry("POST /api/admin/users/{id}/role", "{\"role\":\"user\"}"),
            Map.entry("PUT /api/admin/users/{id}/entitlements", "{\"models\":[\"local\"],\"monthlyBudgetUsd\":5}"),
            Map.entry(
                    "POST /v1/chat/completions",
                    "{\"model\":\"local\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
            Map.entry(
                    "POST /v1/messages",
                    "{\"model\":\"local\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
            Map.entry("POST /v1/embeddings", "{\"model\":\"local\",\"input\":\"hi\"}"));

    private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z]+)}");
    private static final Pattern STRING_VALUE = Pattern.compile(":\"[^\"]*\"");
    private static final Pattern NUMBER_VALUE = Pattern.compile(":(-?[0-9]+)");
    private static final List<String> LEAKS = List.of(
            "Exception",
            "\tat ",
            "SQLState",
            "select ",
            "org.springframework",
            "org.apache",
            "java.",
            "tools.jackson",
            "com.fasterxml",
            "org.postgresql",
            "jakarta.",
            "dev.colloquy");

    /** One generated call, printed as jqwik reports it (and shrinks it). */
    record Call(String method, String pattern, String variable, String query, String contentType, String body) {
        @Override
        public String toString() {
            return method + " " + pattern + " {" + cut(variable) + "}" + cut(query) + " [" + contentType + "] "
                    + cut(body);
        }

        private static String cut(String text) {
            return text.length() > 300 ? text.substring(0, 300) + "... (" + text.length() + " chars)" : text;
        }
    }

    private static ConfigurableApplicationContext service;
    private static String database;
    private static Api api;
    private static List<Route> routes;
    private static Api.Account owner;
    private static Api.Account victim;
    private static Api.Account admin;
    private static Api.Account target;
    private static Map<String, String> ids;
    private static String ownerKey;

    @BeforeContainer
    static void start() throws InterruptedException {
        database = TestDatabase.get().createScratch("fuzz");
        var redis = TestRedis.get();
        service = new SpringApplicationBuilder(ColloquyApplication.class)
                .properties(
                        "server.port=0",
                        "spring.datasource.url=" + database,
                        "spring.datasource.username=" + TestDatabase.get().user(),
                        "spring.data.redis.url=" + redis.url(),
                        "colloquy.cache.key-prefix=fuzz-"
                                + UUID.randomUUID().toString().substring(0, 8),
                        "colloquy.admin-emails=root@colloquy.test",
                        "colloquy.auth.signup=open",
                        "colloquy.cursors.secret=fuzz-tests-cursor-secret-0123456789abcdef",
                        "colloquy.llm.default-model=local",
                        "logging.level.root=warn")
                .run();
        api = new Api("http://127.0.0.1:" + service.getEnvironment().getProperty("local.server.port"));
        owner = api.register();
        victim = api.register();
        admin = api.admin();
        target = api.register();
        ids = Map.of(
                "/api/admin/users",
                target.id().toString(),
                "/api/conversations",
                api.post("/api/conversations", owner.token(), "{\"title\":\"mine\"}")
                        .json()
                        .get("id")
                        .asString(),
                "/api/documents",
                api.upload("/api/documents", owner.token(), "mine.md", "# Mine\n\nWords.".getBytes())
                        .json()
                        .get("id")
                        .asString(),
                "/api/api-keys",
                api.post("/api/api-keys", owner.token(), "{\"name\":\"mine\"}")
                        .json()
                        .get("id")
                        .asString());
        ownerKey = api.post("/api/api-keys", owner.token(), "{\"name\":\"client\"}")
                .json()
                .get("key")
                .asString();
        api.post("/api/conversations", victim.token(), "{\"title\":\"theirs\"}");
        // the document is ingested in the background: its row changes until it is ready
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
        while (!api.get("/api/documents/" + ids.get("/api/documents"), owner.token())
                        .json()
                        .path("status")
                        .asString()
                        .equals("ready")
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        routes = Route.all(service.getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class));
    }

    @AfterContainer
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (database != null) {
            TestDatabase.get().dropScratch(database);
        }
    }

    /**
     * Fixed, so CI sends the same calls each time; more tries go on past them to new ones, and
     * {@code -Dcolloquy.fuzz.seed} sends others ({@link SeedFromCommandLine}).
     */
    @Property(seed = "20261202")
    @AddLifecycleHook(SeedFromCommandLine.class)
    void noGeneratedInputFindsAServerErrorALeakOrAnotherUsersData(@ForAll("calls") Call call) throws Exception {
        var victimBefore = snapshot(victim.id());
        var caller = caller(call);
        var before = snapshot(caller.id());
        var path = path(call);
        var headers = new LinkedHashMap<String, String>();
        if (!call.contentType().isEmpty()) {
            headers.put("Content-Type", call.contentType());
        }
        byte[] body = call.method().equals("GET")
                        || call.method().equals("DELETE") && call.body().isEmpty()
                ? null
                : bytes(call.body());

        var response = api.sendWire(call.method(), path + call.query(), token(call, caller), headers, body);

        int status = response.status();
        assertThat(status >= 500 && !(status == 503 && response.header("Retry-After") != null))
                .as("%s answered %d: %s", call, status, response.body())
                .isFalse();
        if (status >= 400) {
            var error = response.body();
            if (call.pattern().startsWith("/v1/")) {
                assertThat(error)
                        .as("%s: an OpenAI- or Anthropic-shaped error", call)
                        .contains("\"error\"");
            } else if (!response.contentType().startsWith("text/html")) {
                assertThat(response.contentType())
                        .as("%s: %d is a problem response", call, status)
                        .startsWith("application/problem+json");
            }
            for (var leak : LEAKS) {
                assertThat(error).as("%s leaks internals", call).doesNotContain(leak);
            }
            assertThat(snapshot(caller.id()))
                    .as("%s was refused (%d) but changed the caller's data", call, status)
                    .isEqualTo(before);
        }
        assertThat(snapshot(victim.id()))
                .as("%s changed another user's data", call)
                .isEqualTo(victimBefore);
    }

    /** {@code -Dcolloquy.fuzz.seed=N} (or {@code random}) in place of the annotation's seed. */
    static final class SeedFromCommandLine implements AroundPropertyHook {

        @Override
        public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property)
                throws Throwable {
            var seed = System.getProperty("colloquy.fuzz.seed", "").strip();
            if (!seed.isEmpty()) {
                context.attributes()
                        .setSeed(seed.equals("random") ? String.valueOf(new java.util.Random().nextLong()) : seed);
            }
            return property.execute();
        }

        @Override
        public int aroundPropertyProximity() {
            return -100; // before the property starts to generate
        }
    }

    @Provide
    Arbitrary<Call> calls() {
        var route = Arbitraries.of(routes);
        return route.flatMap(r -> Combinators.combine(variables(), queries(), contentTypes(), bodies(r))
                .as((variable, query, type, body) -> new Call(r.method(), r.pattern(), variable, query, type, body)));
    }

    /** /v1 with the owner's API key, everything else with the caller's session. */
    private static String token(Call call, Api.Account caller) {
        return call.pattern().startsWith("/v1/") && caller == owner ? ownerKey : caller.token();
    }

    /** The caller: the admin on admin routes, a fresh account for calls that end a session. */
    private static Api.Account caller(Call call) {
        var key = call.method() + " " + call.pattern();
        if (DISPOSABLE_CALLER.contains(key)) {
            return api.register();
        }
        return call.pattern().startsWith("/api/admin/") ? admin : owner;
    }

    /** The route with its variables: the owner's ids, or the generated value in the first one. */
    private static String path(Call call) {
        var pattern = call.pattern();
        var matcher = VARIABLE.matcher(pattern);
        var out = new StringBuilder();
        boolean first = true;
        while (matcher.find()) {
            var before = pattern.substring(0, matcher.start());
            String value;
            if (first && !call.variable().equals("<valid>") && !pattern.startsWith("/assets/")
                    || call.method().equals("DELETE") && first) {
                value = call.variable().equals("<valid>") ? UUID.randomUUID().toString() : call.variable();
            } else {
                value = switch (matcher.group(1)) {
                    case "id", "conversationId" ->
                        ids.entrySet().stream()
                                .filter(e -> before.startsWith(e.getKey() + "/"))
                                .map(Map.Entry::getValue)
                                .findFirst()
                                .orElse(UUID.randomUUID().toString());
                    case "chunkId", "messageId", "imageId" -> UUID.randomUUID().toString();
                    case "name" -> "app.0000000000.js";
                    default -> throw new AssertionError("InputFuzzIT does not know {" + matcher.group(1) + "}");
                };
            }
            first = false;
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private static Arbitrary<String> variables() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.just("<valid>")),
                net.jqwik.api.Tuple.of(
                        3,
                        Arbitraries.of(
                                "not-a-uuid",
                                "0",
                                "-1",
                                "99999999999999999999",
                                "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                                "%00",
                                "%zz",
                                "%",
                                "%C3%28",
                                "%ED%A0%80",
                                "1%27%20or%201%3D1--",
                                "00000000-0000-0000-0000-000000000000",
                                "ffffffff-ffff-ffff-ffff-fffffffffffZ")),
                net.jqwik.api.Tuple.of(
                        1,
                        Arbitraries.strings()
                                .withCharRange('a', 'z')
                                .ofMinLength(1)
                                .ofMaxLength(3000)));
    }

    private static Arbitrary<String> queries() {
        var names = Arbitraries.of("limit", "cursor", "q", "from", "to", "k", "model", "status", "x", "%zz", "");
        var values = Arbitraries.oneOf(
                Arbitraries.of(
                        "-1",
                        "0",
                        "99999999999999999999",
                        "1e999",
                        "NaN",
                        "%zz",
                        "%",
                        "a%2",
                        "%C3%28",
                        "%FF%FE",
                        "%00",
                        "%ED%A0%80",
                        "2026-13-45",
                        "%27%3B%20drop%20table%20users--",
                        "true",
                        "[]",
                        "%7B%7D"),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(5000));
        var pair = Combinators.combine(names, values).as((n, v) -> n + "=" + v);
        return pair.list().ofMaxSize(4).map(pairs -> pairs.isEmpty() ? "" : "?" + String.join("&", pairs));
    }

    private static Arbitrary<String> contentTypes() {
        return Arbitraries.of(
                "application/json",
                "application/json",
                "application/json; charset=ISO-8859-1",
                "application/json; charset=no-such-charset",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=fuzz",
                "multipart/form-data",
                "text/plain",
                "application/xml",
                "application/octet-stream",
                "",
                "not a media type");
    }

    /** Bodies: the route's valid one broken one field at a time, malformed encodings, junk. */
    private static Arbitrary<String> bodies(Route route) {
        var valid = BODIES.getOrDefault(route.key(), "{}");
        var wrongValue = Arbitraries.oneOf(
                Arbitraries.of(
                        "null",
                        "true",
                        "[]",
                        "{}",
                        "-1",
                        "0",
                        "99999999999999999999999",
                        "-9.9e999",
                        "1e309",
                        "\"\\u0000\"",
                        "\"\\ud800\"",
                        "\"\\udfff\\ud800\"",
                        "[[[[[[[[[[1]]]]]]]]]]",
                        "\"%zz\""),
                Arbitraries.strings().ofMaxLength(200).map(InputFuzzIT::jsonString),
                Arbitraries.strings()
                        .withCharRange('a', 'z')
                        .ofMinLength(10_000)
                        .ofMaxLength(200_000)
                        .map(s -> "\"" + s + "\""),
                Arbitraries.integers().between(2, 3_000).map(depth -> "[".repeat(depth) + "]".repeat(depth)));
        var mutated = Combinators.combine(Arbitraries.integers().between(0, 8), wrongValue)
                .as((which, value) -> replaceValue(valid, which, value));
        var malformed = Arbitraries.of(
                "x=%zz",
                "a=1&b=%",
                "title=%C3%28",
                "%",
                "{\"title\":\"100%\"}",
                "{\"title\":\"%zz\"}",
                "--fuzz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n%zz\r\n--fuzz--\r\n",
                "--fuzz\r\n\r\n",
                "\u0000\u0000",
                "{",
                "{\"a\":",
                "]",
                "\"just a string\"",
                "[1,2,3]",
                "",
                "<xml/>",
                "\uFEFF{}",
                "{}{}",
                "{\"title\":\"a\",\"title\":\"b\"}",
                "<invalid-utf8>");
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just(valid)),
                net.jqwik.api.Tuple.of(5, mutated),
                net.jqwik.api.Tuple.of(3, malformed),
                net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(500)));
    }

    /** The valid body with its n-th value (string or number), or an added field, replaced. */
    private static String replaceValue(String valid, int which, String value) {
        var values = new ArrayList<int[]>();
        for (var pattern : List.of(STRING_VALUE, NUMBER_VALUE)) {
            var matcher = pattern.matcher(valid);
            while (matcher.find()) {
                values.add(new int[] {matcher.start() + 1, matcher.end()});
            }
        }
        if (which >= values.size()) {
            return valid.startsWith("{") && valid.length() > 2
                    ? "{\"unexpected\":" + value + "," + valid.substring(1)
                    : "{\"unexpected\":" + value + "}";
        }
        var span = values.get(which);
        return valid.substring(0, span[0]) + value + valid.substring(span[1]);
    }

    private static String jsonString(String text) {
        var out = new StringBuilder("\"");
        text.chars()
                .forEach(c -> out.append(
                        c < 0x20 || c == '"' || c == '\\' ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return out.append('"').toString();
    }

    /** The body's bytes; {@code <invalid-utf8>} anywhere becomes bytes that are not UTF-8. */
    private static byte[] bytes(String body) {
        var out = new ByteArrayOutputStream();
        var parts = body.split("<invalid-utf8>", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                out.writeBytes(
                        new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE, (byte) 0xED, (byte) 0xA0, (byte) 0x80
                        });
            }
            out.writeBytes(parts[i].getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** What a user owns, as text: their account, conversations, messages, documents and keys. */
    private static String snapshot(UUID userId) throws Exception {
        try (var connection =
                        DriverManager.getConnection(database, TestDatabase.get().user(), "");
                var statement = connection.prepareStatement("""
                        select (select string_agg(t::text, '|' order by t.id) from users t where t.id = ?)
                            || coalesce((select string_agg(t::text, '|' order by t.id) from conversations t where t.user_id = ?), '')
                            || coalesce((select string_agg(t::text, '|' order by t.id) from messages t where t.user_id = ?), '')
                            || coalesce((select string_agg(t::text, '|' order by t.id) from documents t where t.user_id = ?), '')
                            || coalesce((select string_agg((to_jsonb(t) - 'last_used_at')::text, '|' order by t.id)
                                           from api_keys t where t.user_id = ?), '')
                        """)) {
            for (int i = 1; i <= 5; i++) {
                statement.setObject(i, userId);
            }
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }
}
