package dev.colloquy.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.colloquy.Replica;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link CrossReplicaContract} on a Redis Cluster run here on loopback: six {@code redis-server
 * --cluster-enabled yes} (three masters, three replicas) joined by {@code redis-cli --cluster create},
 * stopped by their PIDs afterwards. Every key of an entry shares a hash tag, so the scripts run on one
 * node; a pattern invalidation goes through every master. Needs Debian's {@code redis-server} and
 * {@code redis-cli} ({@code redis-tools}); without them it is skipped, except under {@code CI=true}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterIT extends CrossReplicaContract {

    private static final List<Process> servers = new ArrayList<>();
    private static final List<Integer> ports = new ArrayList<>();
    private static Path directory;

    @BeforeAll
    static void start() throws Exception {
        if (!"true".equals(System.getenv("CI"))) {
            assumeThat(onPath("redis-server") && onPath("redis-cli"))
                    .as("redis-server and redis-cli are not installed (Debian packages redis-server, redis-tools)")
                    .isTrue();
        }
        directory = Files.createTempDirectory("colloquy-redis-cluster");
        for (int i = 0; i < 6; i++) {
            int port = freePort();
            ports.add(port);
            var node = Files.createDirectories(directory.resolve(Integer.toString(port)));
            servers.add(new ProcessBuilder(
                            "redis-server",
                            "--port",
                            Integer.toString(port),
                            "--bind",
                            "127.0.0.1",
                            "--cluster-enabled",
                            "yes",
                            "--cluster-config-file",
                            node.resolve("nodes.conf").toString(),
                            "--cluster-node-timeout",
                            "2000",
                            "--dir",
                            node.toString(),
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                            "--daemonize",
                            "no")
                    .redirectErrorStream(true)
                    .redirectOutput(node.resolve("server.log").toFile())
                    .start());
        }
        for (int port : ports) {
            awaitAnswer(port);
        }
        var create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        ports.forEach(port -> create.add("127.0.0.1:" + port));
        create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        var created = run(create);
        assertThat(created).as(created).contains("[OK] All 16384 slots covered");
        for (int port : ports) {
            awaitClusterOk(port);
        }
        var nodes = String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList());
        var shared = withPrefix(
                Map.of("spring.data.redis.cluster.nodes", nodes),
                "cluster-" + UUID.randomUUID().toString().substring(0, 8));
        first = Replica.start(shared);
        second = Replica.start(shared);
    }

    @AfterAll
    static void stop() throws Exception {
        closeReplicas(); // before their Redis goes
        for (var server : servers) {
            server.destroy();
            if (!server.waitFor(10, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
        if (directory != null) {
            try (var files = Files.walk(directory)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void theEntriesAreSpreadOverEveryMaster() throws Exception {
        for (int i = 0; i < 30; i++) {
            var account = first.api().register();
            first.api().get("/api/me", account.token());
        }
        int mastersWithKeys = 0;
        for (int port : ports) {
            var role = run(List.of("redis-cli", "-p", Integer.toString(port), "role"));
            var keys = run(List.of("redis-cli", "-p", Integer.toString(port), "dbsize"))
                    .strip();
            if (role.startsWith("master") && Long.parseLong(keys) > 0) {
                mastersWithKeys++;
            }
        }
        assertThat(mastersWithKeys).as("masters holding keys").isEqualTo(3);
    }

    /**
     * Last, as it leaves the cluster with one node fewer: one master killed (SIGKILL, by its PID) while
     * two clients keep both replicas busy. Every request is answered (the replicas fall back to their
     * own memory while the master's slots do not answer); its replica is promoted within the node
     * timeout (2 s here), and the replicas use the new master again: a fresh entry is a hit again.
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void aMasterKilledUnderLoadCostsNoRequestAndTheCacheServesAgainAfterFailover() throws Exception {
        var account = first.api().register();
        int victim = -1;
        for (int i = 0; i < ports.size() && victim < 0; i++) {
            if (run(List.of("redis-cli", "-p", Integer.toString(ports.get(i)), "role"))
                    .startsWith("master")) {
                victim = i;
            }
        }
        var failures = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        var requests = new java.util.concurrent.atomic.AtomicInteger();
        long until = System.nanoTime() + Duration.ofSeconds(12).toNanos();
        var clients = new ArrayList<Thread>();
        for (var replica : List.of(first, second)) {
            clients.add(Thread.ofPlatform().start(() -> {
                int n = 0;
                while (System.nanoTime() < until) {
                    var response = switch (n++ % 3) {
                        case 0 -> replica.api().get("/api/me", account.token());
                        case 1 -> replica.api().get("/api/conversations", account.token());
                        default ->
                            replica.api()
                                    .post(
                                            "/api/conversations",
                                            account.token(),
                                            "{\"title\":\"during failover\"}",
                                            Map.of(
                                                    "Idempotency-Key",
                                                    UUID.randomUUID().toString()));
                    };
                    requests.incrementAndGet();
                    if (response.status() >= 300) {
                        failures.add(response.status() + " " + response.body());
                    }
                }
            }));
        }
        Thread.sleep(2_000);
        servers.get(victim).destroyForcibly();
        int survivor = (victim + 1) % ports.size();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!run(List.of("redis-cli", "-p", Integer.toString(ports.get(survivor)), "cluster", "info"))
                .contains("cluster_state:ok")) {
            assertThat(System.nanoTime()).as("the cluster recovers").isLessThan(deadline);
            Thread.sleep(200);
        }
        for (var client : clients) {
            client.join();
        }
        // after the failover: a fresh user's entry is stored in Redis and found again
        var fresh = second.api().register();
        String cache = "";
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!cache.equals("HIT") && System.nanoTime() < deadline) {
            first.api().get("/api/me", fresh.token());
            cache = String.valueOf(second.api().get("/api/me", fresh.token()).header("X-Cache"));
            Thread.sleep(500);
        }

        assertThat(requests.get()).isGreaterThan(20);
        assertThat(failures).as("requests that failed while a master died").isEmpty();
        assertThat(cache)
                .as("an entry one replica stored is found by the other after the failover")
                .isEqualTo("HIT");
    }

    private static boolean onPath(String command) {
        for (var directory : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(directory, command))) {
                return true;
            }
        }
        return false;
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as(String.join(" ", command))
                .isTrue();
        return output;
    }

    private static void awaitAnswer(int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!run(List.of("redis-cli", "-p", Integer.toString(port), "ping")).contains("PONG")) {
            assertThat(System.nanoTime())
                    .as("redis-server on " + port + " answers")
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void awaitClusterOk(int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!run(List.of("redis-cli", "-p", Integer.toString(port), "cluster", "info"))
                .contains("cluster_state:ok")) {
            assertThat(System.nanoTime()).as("the cluster is ok on " + port).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
