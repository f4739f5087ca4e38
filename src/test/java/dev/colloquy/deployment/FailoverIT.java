package dev.colloquy.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.Latency;
import dev.colloquy.ReplicaProcess;
import dev.colloquy.TestDatabase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Losing replicas under load loses nothing. Three replicas of the real jar on loopback ports behind
 * HAProxy ({@code deployment/haproxy/haproxy.cfg}: the Traefik files' health-check, retry and
 * stickiness policy), sharing the tests' PostgreSQL and Redis. Under a steady load of reads and
 * writes (every write with an {@code Idempotency-Key}) and one streaming chat answer: {@code kill -9}
 * of one replica, then SIGTERM of the replica serving the stream (a rolling restart), then both come
 * back. Every request the client made must succeed, every acknowledged write must be in PostgreSQL
 * exactly once, the stream must finish. The report goes to {@code target/failover/report.txt}.
 * Without HAProxy the test is skipped, except under CI, where it fails.
 */
class FailoverIT {

    private static final Duration DEADLINE = Duration.ofMinutes(6);
    private static final Path WORK = Path.of("target", "failover");
    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    private final Map<Integer, ReplicaProcess> replicas = new ConcurrentHashMap<>();
    private final List<Integer> ports = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private Process haproxy;
    private Path stats;
    private String balancer;

    record Outcome(String what, int status, long nanos) {}

    @AfterEach
    void stopEverything() {
        replicas.values().forEach(ReplicaProcess::close);
        if (haproxy != null) {
            haproxy.destroy();
        }
    }

    @Test
    void killingAndRestartingReplicasUnderLoadLosesNothing() throws Exception {
        var haproxyBinary = findOnPath("haproxy");
        Assumptions.assumeTrue(
                haproxyBinary != null || "true".equals(System.getenv("CI")),
                "haproxy (Debian package haproxy) is not installed: the failover test is left out");
        assertThat(haproxyBinary)
                .as("CI must run the failover test: install the Debian package haproxy")
                .isNotNull();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Files.createDirectories(WORK);
        var upstream = FakeUpstream.get();

        for (int i = 0; i < 3; i++) {
            ports.add(ReplicaProcess.freePort());
        }
        startReplica(0);
        replicas.get(0).awaitReady(deadline);
        startReplica(1);
        startReplica(2);
        replicas.get(1).awaitReady(deadline);
        replicas.get(2).awaitReady(deadline);
        startHaproxy(haproxyBinary);
        awaitUntil(deadline, () -> allUp(serverStates()));

        var writer = register();
        var reader = register();
        var streamer = register();
        var conversation = post("/api/conversations", streamer, "{\"model\":\"stream-model\"}", null);
        assertThat(conversation.statusCode()).isEqualTo(201);
        var conversationId = match(ID, conversation.body());

        // steady load: writers create conversations (each with its own Idempotency-Key), readers list
        var outcomes = new CopyOnWriteArrayList<Outcome>();
        var acknowledged = Collections.newSetFromMap(new ConcurrentHashMap<String, Boolean>());
        var failures = new CopyOnWriteArrayList<String>();
        var running = new AtomicBoolean(true);
        var written = new AtomicInteger();
        var load = Executors.newVirtualThreadPerTaskExecutor();
        for (int w = 0; w < 3; w++) {
            load.submit(() -> {
                while (running.get()) {
                    var title = "failover-" + written.incrementAndGet() + "-" + UUID.randomUUID();
                    var started = System.nanoTime();
                    try {
                        var response = post("/api/conversations", writer, "{\"title\":\"" + title + "\"}", title);
                        outcomes.add(new Outcome("write", response.statusCode(), System.nanoTime() - started));
                        if (response.statusCode() == 201) {
                            acknowledged.add(title);
                        } else {
                            failures.add("write " + response.statusCode() + " " + response.body());
                        }
                    } catch (IOException e) {
                        failures.add("write " + e);
                    }
                    pause(15);
                }
                return null;
            });
        }
        for (int r = 0; r < 2; r++) {
            load.submit(() -> {
                while (running.get()) {
                    for (var path : List.of("/api/conversations?limit=10", "/api/me")) {
                        var started = System.nanoTime();
                        try {
                            var response = get(path, reader);
                            outcomes.add(new Outcome("read", response.statusCode(), System.nanoTime() - started));
                            if (response.statusCode() != 200) {
                                failures.add("read " + path + " " + response.statusCode() + " " + response.body());
                            }
                        } catch (IOException e) {
                            failures.add("read " + path + " " + e);
                        }
                    }
                    pause(15);
                }
                return null;
            });
        }
        Thread.sleep(3_000);

        // one streaming answer: 60 tokens over about 9 s
        var tokens = new ArrayList<String>();
        for (int i = 0; i < 60; i++) {
            tokens.add("t" + i + " ");
        }
        upstream.script("stream-model", Reply.slowChunks(Duration.ofMillis(150), tokens.toArray(String[]::new)));
        var streamRequest = HttpRequest.newBuilder(
                        URI.create(balancer + "/api/conversations/" + conversationId + "/messages"))
                .header("Authorization", "Bearer " + streamer)
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString("{\"content\":\"stream through a rolling restart\"}"))
                .build();
        var stream = http.send(streamRequest, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.statusCode()).isEqualTo(200);
        var streaming = stream.headers().firstValue("X-Colloquy-Replica").orElseThrow();
        int streamReplica = Integer.parseInt(streaming.substring("replica-".length())) - 1;
        var events = new CopyOnWriteArrayList<String>();
        var streamReader = Executors.newVirtualThreadPerTaskExecutor().submit(() -> {
            try (var lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("event:")) {
                        events.add(line.substring(6).trim());
                    }
                }
            }
            return null;
        });
        Thread.sleep(1_500);

        // kill -9 a replica that is not streaming
        int killed = (streamReplica + 1) % 3;
        long killedAt = System.nanoTime();
        replicas.get(killed).kill();
        awaitUntil(deadline, () -> "DOWN".equals(serverStates().get("replica-" + (killed + 1))));
        long failoverMillis = (System.nanoTime() - killedAt) / 1_000_000;
        Thread.sleep(1_500);

        // rolling restart: SIGTERM the replica serving the stream; it drains, the stream finishes
        var draining = replicas.get(streamReplica);
        long terminatedAt = System.nanoTime();
        draining.terminate();
        startReplica(killed);
        assertThat(draining.awaitExit(Duration.ofSeconds(45)))
                .as("graceful shutdown ends")
                .isTrue();
        long drainMillis = (System.nanoTime() - terminatedAt) / 1_000_000;
        streamReader.get(30, TimeUnit.SECONDS);
        startReplica(streamReplica);
        replicas.get(killed).awaitReady(deadline);
        replicas.get(streamReplica).awaitReady(deadline);
        awaitUntil(deadline, () -> allUp(serverStates()));
        var health = healthCheck();
        Thread.sleep(2_000);
        running.set(false);
        load.shutdown();
        assertThat(load.awaitTermination(40, TimeUnit.SECONDS)).isTrue();

        // every acknowledged write exactly once, and no write twice at all
        var counts = new HashMap<String, Integer>();
        try (var connection = DriverManager.getConnection(
                        TestDatabase.get().url(), TestDatabase.get().user(), "");
                var statement = connection.prepareStatement(
                        "select title, count(*) from conversations where title like 'failover-%' group by title");
                var rows = statement.executeQuery()) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getInt(2));
            }
        }
        var latencies = outcomes.stream().mapToLong(Outcome::nanos).sorted().toArray();
        var report = String.format(
                """
                Failover test: 3 replicas behind HAProxy on loopback, kill -9 of replica-%d, SIGTERM of replica-%d (streaming)
                requests          %d (%d writes, %d reads)
                errors            %d
                latency p50       %.1f ms
                latency p99       %.1f ms
                latency max       %.1f ms
                failover time     %d ms (kill -9 until HAProxy had the replica out)
                drain time        %d ms (SIGTERM until the streaming replica exited)
                stream            %s
                acknowledged      %d writes, in PostgreSQL exactly once: %s
                """,
                killed + 1,
                streamReplica + 1,
                outcomes.size(),
                outcomes.stream().filter(o -> o.what().equals("write")).count(),
                outcomes.stream().filter(o -> o.what().equals("read")).count(),
                failures.size(),
                Latency.millisAt(latencies, 0.50),
                Latency.millisAt(latencies, 0.99),
                latencies.length == 0 ? 0.0 : latencies[latencies.length - 1] / 1e6,
                failoverMillis,
                drainMillis,
                events.contains("done")
                        ? "finished (" + events.stream().filter("token"::equals).count() + " tokens)"
                        : "cut: " + events,
                acknowledged.size(),
                acknowledged.stream().allMatch(title -> counts.getOrDefault(title, 0) == 1));
        Files.writeString(WORK.resolve("report.txt"), report + "failures: " + failures + "\n");
        System.out.println(report);

        assertThat(health.exit()).as(health.output()).isZero();
        assertThat(health.output()).contains("HEALTHY").doesNotContain("FAIL");
        assertThat(failures).as("requests that failed").isEmpty();
        assertThat(outcomes.size()).isGreaterThan(100);
        assertThat(acknowledged).isNotEmpty();
        for (var title : acknowledged) {
            assertThat(counts.getOrDefault(title, 0)).as(title).isEqualTo(1);
        }
        assertThat(counts.values()).as("no write stored twice").allMatch(count -> count == 1);
        assertThat(events).contains("user_message", "done").doesNotContain("error");
        assertThat(events.stream().filter("token"::equals).count()).isEqualTo(60);
        var messages = get("/api/conversations/" + conversationId + "/messages", streamer);
        assertThat(messages.body()).contains("t59 ").contains("\"status\":\"complete\"");
    }

    record Run(int exit, String output) {}

    /** deployment/scripts/health-check.sh against the balancer and each replica, once all are back. */
    private Run healthCheck() throws IOException, InterruptedException {
        var command = new ArrayList<>(
                List.of("bash", "deployment/scripts/health-check.sh", "--balancer", balancer, "--requests", "10"));
        for (var port : ports) {
            command.addAll(List.of("--replica", "http://127.0.0.1:" + port));
        }
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    private void startReplica(int index) throws IOException {
        replicas.put(index, ReplicaProcess.start("failover-" + (index + 1), ports.get(index), Map.of()));
    }

    private void startHaproxy(Path binary) throws IOException {
        int port = ReplicaProcess.freePort();
        balancer = "http://127.0.0.1:" + port;
        stats = Files.createTempDirectory("haproxy").resolve("stats.sock");
        var builder = new ProcessBuilder(
                binary.toString(),
                "-db",
                "-f",
                Path.of("deployment/haproxy/haproxy.cfg").toString());
        var env = builder.environment();
        env.put("HAPROXY_BIND", "127.0.0.1:" + port);
        env.put("HAPROXY_STATS", stats.toString());
        for (int i = 0; i < 3; i++) {
            env.put("REPLICA_" + (i + 1), "127.0.0.1:" + ports.get(i));
        }
        builder.redirectErrorStream(true);
        builder.redirectOutput(WORK.resolve("haproxy.log").toFile());
        haproxy = builder.start();
    }

    /** The state HAProxy has for each server of the main backend, from its stats socket. */
    private Map<String, String> serverStates() throws IOException {
        var states = new HashMap<String, String>();
        if (!Files.exists(stats)) {
            return states;
        }
        try (var channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(stats));
            channel.write(ByteBuffer.wrap("show stat\n".getBytes(StandardCharsets.US_ASCII)));
            var out = new StringBuilder();
            var buffer = ByteBuffer.allocate(16_384);
            while (channel.read(buffer) > 0) {
                buffer.flip();
                out.append(StandardCharsets.US_ASCII.decode(buffer));
                buffer.clear();
            }
            for (var line : out.toString().split("\n")) {
                var fields = line.split(",");
                if (fields.length > 17 && fields[0].equals("replicas") && fields[1].startsWith("replica-")) {
                    states.put(
                            fields[1],
                            fields[17].startsWith("UP") ? "UP" : fields[17].startsWith("DOWN") ? "DOWN" : fields[17]);
                }
            }
        }
        return states;
    }

    private static boolean allUp(Map<String, String> states) {
        return states.size() == 3 && states.values().stream().allMatch("UP"::equals);
    }

    private String register() throws IOException, InterruptedException {
        var email = "failover-" + UUID.randomUUID() + "@colloquy.test";
        var response = post(
                "/api/auth/register",
                null,
                "{\"email\":\"" + email + "\",\"password\":\"correct horse battery\",\"displayName\":\"Failover\"}",
                email);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return match(TOKEN, response.body());
    }

    private HttpResponse<String> post(String path, String token, String json, String idempotencyKey)
            throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create(balancer + path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create(balancer + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitUntil(long deadline, Condition condition) throws Exception {
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the failover test ran out of time");
            }
            Thread.sleep(100);
        }
    }

    private static String match(Pattern pattern, String body) {
        var m = pattern.matcher(body);
        assertThat(m.find()).as(body).isTrue();
        return m.group(1);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path findOnPath(String name) {
        for (var dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            var candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        for (var dir : Set.of("/usr/sbin", "/sbin")) {
            var candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
