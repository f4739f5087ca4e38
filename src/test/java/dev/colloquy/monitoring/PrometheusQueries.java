package dev.colloquy.monitoring;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Instant queries to a Prometheus that a test started: its HTTP API's answer as JSON. */
public final class PrometheusQueries {

    private final HttpClient http = HttpClient.newHttpClient();
    private final JsonMapper json = JsonMapper.builder().build();
    private final String base;

    /** For the Prometheus at this address ({@code http://127.0.0.1:port}). */
    public PrometheusQueries(String base) {
        this.base = base;
    }

    /**
     * The answer to {@code /api/v1/query}: a query that does not parse is an answer too ({@code
     * "status":"error"}); a 5xx (Prometheus still starting) throws.
     */
    public JsonNode query(String promql) throws Exception {
        var response = http.send(
                HttpRequest.newBuilder(URI.create(
                                base + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                        .timeout(Duration.ofSeconds(30))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 500) {
            throw new IOException("Prometheus answered " + response.statusCode() + ": " + response.body());
        }
        return json.readTree(response.body());
    }
}
