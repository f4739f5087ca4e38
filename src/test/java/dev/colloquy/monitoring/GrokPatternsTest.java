package dev.colloquy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.krakens.grok.api.Grok;
import io.krakens.grok.api.GrokCompiler;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The grok patterns of monitoring/logstash/patterns/colloquy against lines the service and its
 * neighbours really wrote: Colloquy's text log (from the integration tests), PostgreSQL's and Redis'
 * logs (from the servers these tests run against), a Java stack trace (thrown here), and Traefik's
 * access log (in its documented Common Log Format: no Traefik runs on the build machines).
 */
class GrokPatternsTest {

    private static GrokCompiler compiler;

    @BeforeAll
    static void compiler() throws IOException {
        compiler = GrokCompiler.newInstance();
        compiler.registerDefaultPatterns();
        try (var patterns = Files.newBufferedReader(Path.of("monitoring/logstash/patterns/colloquy"))) {
            compiler.register(patterns);
        }
    }

    @Test
    void thereAreAtLeastTwelvePatterns() throws IOException {
        var names = Files.readAllLines(Path.of("monitoring/logstash/patterns/colloquy")).stream()
                .filter(line -> line.matches("[A-Z][A-Z0-9_]+ .+"))
                .toList();
        assertThat(names).hasSizeGreaterThanOrEqualTo(12);
    }

    @Test
    void colloquysTextLogSplitsIntoEcsFields() throws IOException {
        var grok = compiler.compile("%{COLLOQUY_TEXT_LOG}");
        var lines = lines("colloquy-text.log");
        assertThat(lines).hasSizeGreaterThanOrEqualTo(5);
        for (var line : lines) {
            var fields = capture(grok, line);
            assertThat(fields).as(line).containsKeys("timestamp", "[log][level]", "[log][logger]", "message");
            assertThat(fields.get("[service][name]")).isEqualTo("colloquy");
        }
        var withRequest = capture(
                grok,
                lines.stream()
                        .filter(l -> l.contains("UserAccounts"))
                        .findFirst()
                        .orElseThrow());
        assertThat((String) withRequest.get("[http][request][id]")).hasSize(36);
        var slow = capture(
                grok,
                lines.stream().filter(l -> l.contains("Slow query")).findFirst().orElseThrow());
        assertThat(slow.get("[log][level]")).isEqualTo("WARN");
        var slowQuery = capture(compiler.compile("%{COLLOQUY_SLOW_QUERY}"), (String) slow.get("message"));
        assertThat((Float) slowQuery.get("[colloquy][duration_ms]")).isPositive();
        assertThat((String) slowQuery.get("[colloquy][sql]")).isNotBlank();
        var ready = capture(compiler.compile("%{COLLOQUY_DOCUMENT_READY}"), (String) capture(
                        grok,
                        lines.stream()
                                .filter(l -> l.contains(" ready: "))
                                .findFirst()
                                .orElseThrow())
                .get("message"));
        assertThat((Integer) ready.get("[colloquy][chunks]")).isPositive();
        var fallback = capture(compiler.compile("%{COLLOQUY_FALLBACK}"), (String) capture(
                        grok,
                        lines.stream()
                                .filter(l -> l.contains("Falling back"))
                                .findFirst()
                                .orElseThrow())
                .get("message"));
        assertThat(fallback)
                .containsEntry("[colloquy][model_from]", "test-model")
                .containsEntry("[colloquy][model_to]", "test-backup");
    }

    @Test
    void aJavaStackTraceIsRecognisedLineByLine() {
        var trace = new StringWriter();
        new IllegalStateException("the pool is exhausted", new java.io.IOException("connection reset"))
                .printStackTrace(new PrintWriter(trace));
        var lines = trace.toString().lines().toList();
        var exception = compiler.compile("^%{JAVA_EXCEPTION_LINE}$");
        var frame = compiler.compile("^%{JAVA_STACK_FRAME}$");

        var first = capture(exception, lines.getFirst());
        var second = capture(frame, lines.get(1));

        assertThat(first)
                .containsEntry("[error][type]", "java.lang.IllegalStateException")
                .containsEntry("[error][message]", "the pool is exhausted");
        assertThat(second.get("[error][frame_class]")).isEqualTo(GrokPatternsTest.class.getName());
        assertThat(second.get("[error][frame_source]")).isEqualTo("GrokPatternsTest.java:" + lineOf(lines.get(1)));
    }

    @Test
    void postgresqlLinesGiveLevelPidAndDatabase() throws IOException {
        var grok = compiler.compile("%{POSTGRES_LOG}");
        var lines = lines("postgresql.log");
        for (var line : lines) {
            assertThat(capture(grok, line))
                    .as(line)
                    .containsKeys("timestamp", "[process][pid]", "[log][level]", "message");
        }
        var error = capture(
                grok,
                lines.stream().filter(l -> l.contains(" ERROR: ")).findFirst().orElseThrow());
        assertThat(error).containsEntry("[log][level]", "ERROR").containsEntry("[postgresql][database]", "postgres");
        var duration = capture(
                grok,
                lines.stream().filter(l -> l.contains("duration: ")).findFirst().orElseThrow());
        var timing = capture(compiler.compile("%{POSTGRES_DURATION}"), (String) duration.get("message"));
        assertThat((Float) timing.get("[postgresql][duration_ms]")).isPositive();
        assertThat((String) timing.get("[postgresql][statement]")).contains("pg_sleep");
    }

    @Test
    void redisLinesGiveRoleAndLevel() throws IOException {
        var grok = compiler.compile("%{REDIS_LOG}");
        for (var line : lines("redis.log")) {
            var fields = capture(grok, line);
            assertThat(fields).as(line).containsKeys("[process][pid]", "[redis][role]", "[redis][level]", "timestamp");
        }
    }

    @Test
    void traefikAccessLogGivesStatusDurationAndBackend() throws IOException {
        var grok = compiler.compile("%{TRAEFIK_ACCESS_LOG}");
        var slow = capture(grok, lines("traefik-access.log").get(1));
        assertThat(slow)
                .containsEntry("[http][request][method]", "POST")
                .containsEntry("[url][original]", "/v1/chat/completions")
                .containsEntry("[http][response][status_code]", 503)
                .containsEntry("[traefik][router]", "colloquy@docker")
                .containsEntry("[colloquy][duration_ms]", 30012.0f);
        for (var line : lines("traefik-access.log")) {
            assertThat(capture(grok, line)).as(line).containsKey("[traefik][backend_url]");
        }
    }

    @Test
    void aLineOfAnotherFormatDoesNotMatch() throws IOException {
        var redisLine = lines("redis.log").getFirst();
        var colloquyLine = lines("colloquy-text.log").getFirst();

        assertThat(compiler.compile("%{COLLOQUY_TEXT_LOG}").match(redisLine).capture())
                .isEmpty();
        assertThat(compiler.compile("%{POSTGRES_LOG}").match(colloquyLine).capture())
                .isEmpty();
        assertThat(compiler.compile("%{TRAEFIK_ACCESS_LOG}").match(colloquyLine).capture())
                .isEmpty();
    }

    private static Map<String, Object> capture(Grok grok, String line) {
        var fields = grok.match(line).capture();
        assertThat(fields).as("no match: " + line).isNotEmpty();
        return fields;
    }

    private static List<String> lines(String name) throws IOException {
        return Files.readAllLines(Path.of("src/test/resources/logs", name)).stream()
                .filter(line -> !line.isBlank())
                .toList();
    }

    private static String lineOf(String frame) {
        return frame.substring(frame.lastIndexOf(':') + 1, frame.length() - 1);
    }
}
