package dev.colloquy.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.IntegrationTest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The kit against the real thing: a real Prometheus (Debian package {@code prometheus}) scrapes this
 * service while traffic goes through its API, loads the recording and alert rules, and then every
 * recording rule, alert expression and dashboard panel query is evaluated through Prometheus' HTTP
 * API. Each must parse; each metric it names must be exported, by this service (and then have data)
 * or by a named exporter. Without the binary the test is skipped, except under CI, where it fails.
 */
class MonitoringLiveIT extends IntegrationTest {

    /** Metrics of other exporters the kit relies on, by name prefix, with who exports them. */
    private static final Map<String, String> EXPORTERS = Map.ofEntries(
            Map.entry("node_", "node-exporter"),
            Map.entry("container_", "cAdvisor"),
            Map.entry("pg_", "postgres_exporter"),
            Map.entry("redis_up", "redis_exporter"),
            Map.entry("redis_memory_", "redis_exporter"),
            Map.entry("redis_evicted_", "redis_exporter"),
            Map.entry("redis_rejected_", "redis_exporter"),
            Map.entry("redis_connected_", "redis_exporter"),
            Map.entry("redis_master_link_", "redis_exporter"), // RedisMonitoringIT sees them exported
            Map.entry("elasticsearch_", "elasticsearch_exporter"),
            Map.entry("probe_", "blackbox_exporter"),
            Map.entry("prometheus_", "Prometheus"),
            Map.entry("alertmanager_", "Alertmanager"),
            Map.entry("ALERTS", "Prometheus"));

    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern GROUPINGS =
            Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)\\b(?!\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "bool",
            "offset",
            "inf",
            "nan",
            "Inf",
            "NaN",
            "__rate_interval",
            "__interval",
            "__range");

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void everyRuleAndPanelQueryParsesAndEveryMetricIsExported() throws Exception {
        var prometheus = findPrometheus();
        Assumptions.assumeTrue(
                prometheus != null || "true".equals(System.getenv("CI")),
                "prometheus (Debian package prometheus) is not installed: the live kit check is left out");
        assertThat(prometheus)
                .as("CI must run the live kit check: install the Debian package prometheus")
                .isNotNull();

        driveTraffic();
        var work = Files.createTempDirectory("prometheus");
        int promPort = freePort();
        Files.writeString(work.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                  - %s
                scrape_configs:
                  - job_name: colloquy
                    metrics_path: /actuator/prometheus
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(
                        Path.of("monitoring/prometheus/recording_rules.yml").toAbsolutePath(),
                        Path.of("monitoring/prometheus/alerts.yml").toAbsolutePath(),
                        port));
        var process = new ProcessBuilder(
                        prometheus,
                        "--config.file=" + work.resolve("prometheus.yml"),
                        "--storage.tsdb.path=" + work.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("prometheus.log").toFile())
                .start();
        try {
            var base = "http://127.0.0.1:" + promPort;
            awaitScrapes(base);
            driveTraffic(); // a second round, so rates see two samples of every counter
            // rule groups run every 15 or 30 s: wait for a full round of each
            awaitData(
                    base,
                    "job:http_server_requests:rate5m",
                    "job:redis_cache_hit_ratio:rate5m",
                    "result:api_cache_response_time_seconds:p95_5m",
                    "instance:jvm_memory_heap:utilisation",
                    "instance:db_query_seconds:p99_5m",
                    "model:llm_cost_usd:rate1h");

            var problems = new ArrayList<String>();
            var expressions = expressions();
            assertThat(expressions).hasSizeGreaterThan(100);
            var metrics = new TreeSet<String>();
            for (var entry : expressions.entrySet()) {
                var result = query(base, entry.getValue());
                if (!"success".equals(result.get("status").asString())) {
                    problems.add(entry.getKey() + " does not evaluate: " + result);
                }
                metrics.addAll(metricNames(entry.getValue()));
            }
            var recorded = recordedNames();
            for (var metric : metrics) {
                var exporter = exporterOf(metric);
                if (exporter != null || metric.equals("up")) {
                    continue;
                }
                if (recorded.containsKey(metric) && readsOnlyExporters(recorded.get(metric))) {
                    continue;
                }
                var series = query(base, "count({__name__=\"" + metric + "\"})")
                        .get("data")
                        .get("result");
                if (series.isEmpty()) {
                    problems.add(
                            metric
                                    + " is named in a rule or panel, but neither this service (no data) nor a named exporter exports it");
                }
            }
            assertThat(problems).as("kit problems").isEmpty();
            assertThat(metrics)
                    .contains("http_server_requests_seconds_bucket", "llm_cost_usd_total", "redis_cache_hits_total");
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(file -> file.toFile().delete());
            }
        }
    }

    /** Calls that make the service export every metric the kit reads. */
    private void driveTraffic() throws Exception {
        var api = api();
        var upstream = FakeUpstream.get();
        var account = api.register();
        var key = api.post("/api/api-keys", account.token(), "{\"name\":\"kit\",\"scope\":\"chat\"}")
                .json()
                .get("key")
                .asString();
        var conversation = api.post("/api/conversations", account.token(), "{\"model\":\"test-model\"}")
                .json()
                .get("id")
                .asString();
        api.post("/api/conversations/" + conversation + "/messages", account.token(), "{\"content\":\"hello\"}");
        api.get("/api/conversations", account.token());
        api.get("/api/conversations", account.token());
        api.get("/api/me", null); // 401
        var deterministic =
                "{\"model\":\"test-model\",\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"kit %s\"}]}"
                        .formatted(System.nanoTime());
        api.post("/v1/chat/completions", key, deterministic);
        api.post("/v1/chat/completions", key, deterministic); // a cache hit
        for (int i = 0; i < 3; i++) {
            api.post(
                    "/v1/chat/completions",
                    key,
                    "{\"model\":\"metered\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"); // 429 at last
        }
        upstream.script("test-model", Reply.status(500), Reply.status(500), Reply.status(500));
        api.post(
                "/v1/chat/completions",
                key,
                "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"fallback\"}]}");
        upstream.script("lonely", Reply.status(500), Reply.status(500), Reply.status(500));
        api.post(
                "/v1/chat/completions",
                key,
                "{\"model\":\"lonely\",\"messages\":[{\"role\":\"user\",\"content\":\"503\"}]}");
        api.upload(
                "/api/documents",
                account.token(),
                "kit.md",
                ("# Kit " + System.nanoTime() + "\n\nA document.").getBytes(StandardCharsets.UTF_8));
        System.gc(); // a GC pause to report
    }

    /** Every expression of the recording rules, the alert rules and the dashboards, by where it is. */
    private Map<String, String> expressions() throws IOException {
        var found = new LinkedHashMap<String, String>();
        for (var file : List.of("recording_rules.yml", "alerts.yml")) {
            Map<String, Object> rules = new Yaml().load(Files.readString(Path.of("monitoring/prometheus", file)));
            for (var group : (List<Map<String, Object>>) rules.get("groups")) {
                for (var rule : (List<Map<String, Object>>) group.get("rules")) {
                    var name = rule.containsKey("record") ? rule.get("record") : rule.get("alert");
                    found.put(file + ": " + name, String.valueOf(rule.get("expr")));
                }
            }
        }
        try (var dashboards = Files.list(Path.of("monitoring/grafana/dashboards"))) {
            for (var file :
                    dashboards.filter(f -> f.toString().endsWith(".json")).toList()) {
                for (var panel : json.readTree(file.toFile()).get("panels")) {
                    if (panel.has("targets")) {
                        for (var target : panel.get("targets")) {
                            var expr = target.get("expr").asString().replace("$__rate_interval", "1m");
                            found.put(
                                    file.getFileName() + ": "
                                            + panel.get("title").asString() + " "
                                            + target.get("refId").asString(),
                                    expr);
                        }
                    }
                }
            }
        }
        return found;
    }

    private Map<String, String> recordedNames() throws IOException {
        var recorded = new LinkedHashMap<String, String>();
        Map<String, Object> rules =
                new Yaml().load(Files.readString(Path.of("monitoring/prometheus/recording_rules.yml")));
        for (var group : (List<Map<String, Object>>) rules.get("groups")) {
            for (var rule : (List<Map<String, Object>>) group.get("rules")) {
                recorded.put((String) rule.get("record"), String.valueOf(rule.get("expr")));
            }
        }
        return recorded;
    }

    private boolean readsOnlyExporters(String expr) {
        return metricNames(expr).stream().allMatch(m -> exporterOf(m) != null);
    }

    private static String exporterOf(String metric) {
        return EXPORTERS.entrySet().stream()
                .filter(e -> metric.startsWith(e.getKey()))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
    }

    /** The metric names a PromQL expression reads: identifiers that are neither functions, keywords nor labels. */
    static Set<String> metricNames(String expr) {
        var stripped = STRINGS.matcher(expr).replaceAll("\"\"");
        stripped = MATCHERS.matcher(stripped).replaceAll(" ");
        stripped = GROUPINGS.matcher(stripped).replaceAll(" ");
        stripped = RANGES.matcher(stripped).replaceAll(" ");
        var names = new LinkedHashSet<String>();
        var matcher = IDENTIFIER.matcher(stripped);
        while (matcher.find()) {
            var name = matcher.group(1);
            if (!KEYWORDS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    private static JsonNode query(String base, String promql) throws Exception {
        return new PrometheusQueries(base).query(promql);
    }

    private void awaitData(String base, String... recorded) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        for (var name : recorded) {
            while (query(base, name).get("data").get("result").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
        }
        Thread.sleep(2_000);
    }

    private void awaitScrapes(String base) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                var up = query(base, "up{job=\"colloquy\"} == 1").get("data").get("result");
                if (!up.isEmpty()) {
                    return;
                }
            } catch (IOException notYet) {
                // Prometheus is still starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus never scraped the service");
    }

    private static String findPrometheus() {
        for (var dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            var candidate = Path.of(dir, "prometheus");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
