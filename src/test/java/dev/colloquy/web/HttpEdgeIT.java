package dev.colloquy.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.IntegrationTest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;

/** What every client sees at the edge: health, metrics, request ids, and problems for bad input. */
@ExtendWith(OutputCaptureExtension.class)
class HttpEdgeIT extends IntegrationTest {

    @Autowired
    JdbcClient jdbc;

    @Test
    void healthAndProbesAnswerUp() {
        assertThat(api().get("/health", null).body()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(api().get("/actuator/health/liveness", null).status()).isEqualTo(200);
        var readiness = api().get("/actuator/health/readiness", null);
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(readiness.json().get("status").asString()).isEqualTo("UP");
    }

    @Test
    void prometheusExposesHttpHistogramsPoolAndQueryMetrics() {
        api().get("/health", null);

        var metrics = api().get("/actuator/prometheus", null).body();

        assertThat(metrics)
                .contains("http_server_requests_seconds_bucket")
                .contains("hikaricp_connections_active")
                .contains("db_query_seconds_count{")
                .contains("db_slow_queries_total{");
    }

    @Test
    void slowStatementsAreCounted() {
        var before = slowSelects();

        jdbc.sql("select pg_sleep(0.2)").query().singleValue();

        assertThat(slowSelects()).isEqualTo(before + 1);
    }

    @Test
    void requestIdIsEchoedOrMadeAndHostileOnesReplaced() {
        var echoed = api().get("/health", null, Map.of("X-Request-Id", "abc-123"));
        var made = api().get("/health", null);
        var hostile = api().get("/health", null, Map.of("X-Request-Id", "evil id with spaces"));

        assertThat(echoed.header("X-Request-Id")).isEqualTo("abc-123");
        assertThat(made.header("X-Request-Id")).isNotBlank();
        assertThat(hostile.header("X-Request-Id"))
                .isNotEqualTo("evil id with spaces")
                .isNotBlank();
    }

    @Test
    void requestIdIsInTheLogLinesOfItsRequest(CapturedOutput output) {
        var requestId = "log-" + java.util.UUID.randomUUID();

        api().post(
                        "/api/auth/register",
                        null,
                        "{\"email\":\"" + requestId
                                + "@colloquy.test\",\"password\":\"correct horse battery\",\"displayName\":\"L\"}",
                        Map.of("X-Request-Id", requestId));

        assertThat(output.getOut().lines().filter(line -> line.contains("Registered account")))
                .anyMatch(line -> line.contains("[" + requestId + "]"));
    }

    @Test
    void malformedJsonIsA400ProblemWithoutInternals() {
        var account = api().register();

        var response = api().post("/api/conversations", account.token(), "{\"title\": ");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.body()).doesNotContain("jackson", "Exception", "at dev.", "at org.");
        assertThat(response.json().get("requestId").asString()).isEqualTo(response.header("X-Request-Id"));
    }

    @Test
    void deeplyNestedJsonIsRefused() {
        var account = api().register();
        var shallow = "[".repeat(5000) + "]".repeat(5000);
        var deep = "{\"title\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";

        for (var nested : new String[] {shallow, deep}) {
            var response = api().post("/api/conversations", account.token(), nested);

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertNoInternals(response);
        }
    }

    @Test
    void unknownFieldsAreNamed() {
        var account = api().register();

        var response = api().post("/api/conversations", account.token(), "{\"title\":\"x\",\"owner\":\"someone\"}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("detail").asString()).contains("owner");
    }

    @Test
    void oversizedBodiesAre413WhetherDeclaredOrChunked() {
        var account = api().register();
        var huge = "{\"title\":\"" + "a".repeat(2_000_000) + "\"}";

        var declared = api().post("/api/conversations", account.token(), huge);
        var chunked = api().postChunked("/api/conversations", account.token(), huge.getBytes(StandardCharsets.UTF_8));

        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.contentType()).startsWith("application/problem+json");
        assertThat(chunked.status()).isEqualTo(413);
        assertThat(chunked.contentType()).startsWith("application/problem+json");
    }

    @Test
    void wrongContentTypeIs415() {
        var account = api().register();

        var response = api().send(
                        "POST",
                        "/api/conversations",
                        account.token(),
                        "title=x",
                        Map.of("Content-Type", "application/x-www-form-urlencoded"));

        assertThat(response.status()).isEqualTo(415);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertNoInternals(response);
    }

    @Test
    void invalidUtf8IsA400Problem() {
        var account = api().register();
        var body = new byte[] {'{', '"', 't', 'i', 't', 'l', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};

        var response = api().sendRaw(
                        "POST",
                        "/api/conversations",
                        account.token(),
                        body,
                        Map.of("Content-Type", "application/json"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertNoInternals(response);
        assertThat(api().get("/api/conversations", account.token()).json().get("items"))
                .as("nothing stored")
                .isEmpty();
    }

    @Test
    void aCursorTheServiceNeverMadeIsA400() {
        var account = api().register();

        var response = api().get("/api/conversations?cursor=eyJmb3JnZWQiOnRydWV9.AAAA", account.token());

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertNoInternals(response);
    }

    @Test
    void sqlAndLikeWildcardsInSearchAreJustWords() {
        var account = api().register();
        for (var q :
                new String[] {"' or 1=1 --", "%_%", "\\", "a:* & !b", "\"unclosed", "') ; drop table messages; --"}) {
            var response = api().get(
                            "/api/search?q=" + java.net.URLEncoder.encode(q, StandardCharsets.UTF_8), account.token());

            assertThat(response.status()).as(q).isIn(200, 400);
            assertNoInternals(response);
        }
    }

    @Test
    void hugeHeadersAreRefused() {
        var account = api().register();

        var response = api().get("/api/me", account.token(), Map.of("X-Padding", "x".repeat(40_000)));

        assertThat(response.status()).isIn(400, 431);
        assertNoInternals(response);
    }

    private static void assertNoInternals(dev.colloquy.Api.Response response) {
        assertThat(response.body())
                .doesNotContain("Exception")
                .doesNotContain("\tat ")
                .doesNotContain("SQLState")
                .doesNotContain("org.postgresql")
                .doesNotContain("tools.jackson");
    }

    @Test
    void unknownRouteIsA404Problem() {
        var account = api().register();

        var response = api().get("/api/nothing-here", account.token());

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.contentType()).startsWith("application/problem+json");
    }

    private double slowSelects() {
        return api().metric("db_slow_queries_total", "operation=\"select\"");
    }
}
