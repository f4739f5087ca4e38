package dev.colloquy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.monitoring.PrometheusQueries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

/**
 * The kit's Redis scrape as it runs under Sentinel, with the real tools: Debian's {@code prometheus}
 * and {@code prometheus-redis-exporter} (multi-target, as {@code docker-compose.monitoring.yml} runs
 * it), a master and its replica on loopback, and the {@code redis} job of {@code
 * monitoring/prometheus/prometheus.yml} as shipped but for two things a loopback test cannot have: its
 * DNS lookup of {@code redis} and {@code redis-replica} is replaced by the two servers' addresses with
 * the names the lookup would give them ({@code 127.0.0.1} and {@code localhost}, which the exporter
 * resolves too), and the exporter's address. Then the master is stopped: RedisDown fires for it alone
 * and RedisReplicaLinkDown for the replica. Skipped without the tools, except under {@code CI=true}.
 */
class RedisMonitoringIT {

    private static final Pattern EXPORTED = Pattern.compile("\\bredis_(?!cache_|exporter)[a-z_]+\\b");

    @Test
    void everyRedisIsScrapedUnderItsOwnNameAndALostMasterAlertsForItAndItsReplica() throws Exception {
        var tools = LoopbackRedis.required(
                "prometheus (Debian package prometheus)",
                "prometheus",
                "prometheus-redis-exporter (Debian package prometheus-redis-exporter)",
                "prometheus-redis-exporter");
        try (var redis = new LoopbackRedis("redis-monitoring")) {
            int master = LoopbackRedis.freePort();
            int replica = LoopbackRedis.freePort();
            var masterProcess = redis.start(master, redis.plain(master));
            LoopbackRedis.await(master, "PONG", "ping");
            var replicaArguments = redis.plain(replica);
            replicaArguments.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(master)));
            redis.start(replica, replicaArguments);
            LoopbackRedis.await(replica, "master_link_status:up", "info", "replication");

            int exporterPort = LoopbackRedis.freePort();
            redis.startTool(
                    "exporter",
                    List.of(tools.get("prometheus-redis-exporter"), "--web.listen-address=127.0.0.1:" + exporterPort));
            int prometheusPort = LoopbackRedis.freePort();
            var work = redis.directory(prometheusPort);
            Files.writeString(work.resolve("prometheus.yml"), configuration(master, replica, exporterPort));
            redis.startTool(
                    "prometheus",
                    List.of(
                            tools.get("prometheus"),
                            "--config.file=" + work.resolve("prometheus.yml"),
                            "--storage.tsdb.path=" + work.resolve("data"),
                            "--web.listen-address=127.0.0.1:" + prometheusPort));
            var base = "http://127.0.0.1:" + prometheusPort;

            var up = await(base, "redis_up == 1", 2);
            assertThat(values(up, "instance")).containsOnlyKeys("127.0.0.1", "localhost");
            var roles = new TreeMap<String, String>();
            for (var series : await(base, "redis_instance_info", 2)) {
                roles.put(
                        series.at("/metric/instance").asString(),
                        series.at("/metric/role").asString());
            }
            assertThat(roles).containsExactlyInAnyOrderEntriesOf(Map.of("127.0.0.1", "master", "localhost", "slave"));
            assertThat(values(await(base, "redis_master_link_up", 1), "instance"))
                    .containsExactlyEntriesOf(Map.of("localhost", "1"));
            // every metric of redis_exporter that the rules name is there, for both servers
            var named = new TreeSet<String>();
            var matcher = EXPORTED.matcher(Files.readString(Path.of("monitoring/prometheus/alerts.yml")));
            while (matcher.find()) {
                named.add(matcher.group());
            }
            assertThat(named).contains("redis_up", "redis_memory_used_bytes", "redis_master_link_up");
            for (var metric : named) {
                if (!metric.equals("redis_master_link_up")) {
                    assertThat(query(base, "count(" + metric + ")")
                                    .at("/data/result/0/value/1")
                                    .asString())
                            .as("%s of redis_exporter, for both servers", metric)
                            .isEqualTo("2");
                }
            }

            masterProcess.destroy();
            assertThat(masterProcess.waitFor(10, TimeUnit.SECONDS)).isTrue();

            assertThat(values(await(base, "redis_up == 0", 1), "instance")).containsOnlyKeys("127.0.0.1");
            var down = await(base, "ALERTS{alertname=\"RedisDown\"}", 1);
            assertThat(down.get(0).at("/metric/instance").asString()).isEqualTo("127.0.0.1");
            var link = await(base, "ALERTS{alertname=\"RedisReplicaLinkDown\"}", 1);
            assertThat(link.get(0).at("/metric/instance").asString()).isEqualTo("localhost");
            assertThat(link.get(0).at("/metric/master_port").asString()).isEqualTo(Integer.toString(master));
        }
    }

    /**
     * A Prometheus configuration of the shipped {@code redis} job alone, its lookup and exporter
     * address replaced, with the shipped alert rules evaluated every second.
     */
    @SuppressWarnings("unchecked")
    private static String configuration(int master, int replica, int exporterPort) throws IOException {
        Map<String, Object> shipped =
                new Yaml().load(Files.readString(Path.of("monitoring/prometheus/prometheus.yml")));
        var job = ((List<Map<String, Object>>) shipped.get("scrape_configs"))
                .stream()
                        .filter(config -> "redis".equals(config.get("job_name")))
                        .findFirst()
                        .orElseThrow();
        var lookups = (List<Map<String, Object>>) job.remove("dns_sd_configs");
        assertThat(lookups.get(0).get("names")).isEqualTo(List.of("redis", "redis-replica"));
        job.put(
                "static_configs",
                List.of(
                        Map.of(
                                "targets",
                                List.of("127.0.0.1:" + master),
                                "labels",
                                Map.of("__meta_dns_name", "127.0.0.1")),
                        Map.of(
                                "targets",
                                List.of("127.0.0.1:" + replica),
                                "labels",
                                Map.of("__meta_dns_name", "localhost"))));
        var relabelled = 0;
        for (var relabel : (List<Map<String, Object>>) job.get("relabel_configs")) {
            if ("__address__".equals(relabel.get("target_label"))) {
                assertThat(relabel.get("replacement")).isEqualTo("redis-exporter:9121");
                relabel.put("replacement", "127.0.0.1:" + exporterPort);
                relabelled++;
            }
        }
        assertThat(relabelled).isEqualTo(1);
        var configuration = Map.of(
                "global",
                Map.of("scrape_interval", "1s", "evaluation_interval", "1s"),
                "rule_files",
                // its groups have no interval of their own: evaluated every second, as configured here
                List.of(Path.of("monitoring/prometheus/alerts.yml")
                        .toAbsolutePath()
                        .toString()),
                "scrape_configs",
                List.of(job));
        var options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dump(configuration);
    }

    /** The series of this query once there are this many (60 s at most). */
    private List<JsonNode> await(String base, String promql, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        var last = "";
        while (System.nanoTime() < deadline) {
            try {
                var result = query(base, promql).at("/data/result");
                last = result.toString();
                if (result.size() == count) {
                    var series = new ArrayList<JsonNode>();
                    result.forEach(series::add);
                    return series;
                }
            } catch (IOException starting) {
                last = starting.getMessage();
            }
            Thread.sleep(250);
        }
        throw new AssertionError(promql + " never had " + count + " series; last: " + last);
    }

    private static Map<String, String> values(List<JsonNode> series, String label) {
        var values = new TreeMap<String, String>();
        for (var one : series) {
            values.put(one.at("/metric/" + label).asString(), one.at("/value/1").asString());
        }
        return values;
    }

    private static JsonNode query(String base, String promql) throws Exception {
        return new PrometheusQueries(base).query(promql);
    }
}
