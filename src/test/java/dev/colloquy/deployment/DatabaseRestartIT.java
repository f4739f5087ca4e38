package dev.colloquy.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.FakeUpstream;
import dev.colloquy.Replica;
import dev.colloquy.ReplicaProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL restarted under load: a PostgreSQL 17 of the test's own (zonky's binaries) is stopped
 * (fast shutdown: every connection cut) while writers, readers and billed model calls run, stays down
 * for 4 seconds, and starts again on the same data directory and port. Clients see answers or 503s
 * with {@code Retry-After}, never another error; writers retry with their {@code Idempotency-Key}
 * and every write lands exactly once; every model call answered is billed exactly once; the replica
 * turns unready while the database is gone and ready again by itself.
 */
class DatabaseRestartIT {

    private static final Duration DOWN = Duration.ofSeconds(4);

    private Path data;
    private int port;
    private EmbeddedPostgres postgres;
    private Replica replica;

    @AfterEach
    void stop() throws IOException {
        if (replica != null) {
            replica.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void writesAndBillsSurviveARestartExactlyOnceAndTheReplicaRecoversByItself() throws Exception {
        data = Files.createTempDirectory("colloquy-restart-pg");
        port = ReplicaProcess.freePort();
        postgres = startPostgres();
        replica = Replica.start(Map.of(
                "spring.datasource.url", "jdbc:postgresql://127.0.0.1:" + port + "/postgres",
                "spring.datasource.username", "postgres",
                "spring.datasource.hikari.connection-timeout", "1000",
                "colloquy.llm.models[0].name", "priced-model",
                "colloquy.llm.models[0].base-url", FakeUpstream.get().baseUrl(),
                "colloquy.llm.models[0].input-price-per-million", "3",
                "colloquy.llm.models[0].output-price-per-million", "15"));
        var api = replica.api();
        var writer = api.register();
        var caller = api.register();

        var statuses = new ConcurrentHashMap<Integer, AtomicInteger>();
        var unexpected = new CopyOnWriteArrayList<String>();
        var acknowledged = ConcurrentHashMap.<String>newKeySet();
        var billed = new AtomicInteger();
        var running = new AtomicBoolean(true);
        var load = Executors.newVirtualThreadPerTaskExecutor();
        for (int w = 0; w < 3; w++) {
            load.submit(() -> {
                while (running.get()) {
                    var title = "restart-" + UUID.randomUUID();
                    // a client that retries with the same key until the write is acknowledged
                    while (true) {
                        var response = api.post(
                                "/api/conversations",
                                writer.token(),
                                "{\"title\":\"" + title + "\"}",
                                Map.of("Idempotency-Key", title));
                        count(statuses, unexpected, response);
                        if (response.status() == 201) {
                            acknowledged.add(title);
                            break;
                        }
                        pause(200);
                    }
                }
                return null;
            });
        }
        load.submit(() -> {
            while (running.get()) {
                count(statuses, unexpected, api.get("/api/conversations?limit=20", writer.token()));
                pause(20);
            }
            return null;
        });
        load.submit(() -> {
            while (running.get()) {
                var response = api.post(
                        "/v1/chat/completions",
                        caller.token(),
                        "{\"model\":\"priced-model\",\"temperature\":0.7,\"messages\":[{\"role\":\"user\",\"content\":\"q "
                                + UUID.randomUUID() + "\"}]}");
                count(statuses, unexpected, response);
                if (response.status() == 200) {
                    billed.incrementAndGet();
                }
                pause(50);
            }
            return null;
        });

        Thread.sleep(2_000);
        int beforeOutage = acknowledged.size();
        long stopped = System.nanoTime();
        postgres.close();
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(() -> api.get("/actuator/health/readiness", null).status() == 503);
        long unready = System.nanoTime() - stopped;
        Thread.sleep(DOWN.toMillis());
        postgres = startPostgres();
        long restarted = System.nanoTime();
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> api.get("/actuator/health/readiness", null).status() == 200);
        long readyAgain = System.nanoTime() - restarted;
        int atRecovery = acknowledged.size();
        Thread.sleep(3_000);
        running.set(false);
        load.shutdown();
        assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

        assertThat(unexpected).as("only answers and 503s with Retry-After").isEmpty();
        assertThat(statuses).containsKey(503);
        assertThat(acknowledged.size())
                .as("writes went on after the restart")
                .isGreaterThan(atRecovery)
                .isGreaterThan(beforeOutage);
        var stored = new HashMap<String, Integer>();
        try (var connection = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                var rows = connection
                        .createStatement()
                        .executeQuery(
                                "select title, count(*) from conversations where title like 'restart-%' group by title")) {
            while (rows.next()) {
                stored.put(rows.getString(1), rows.getInt(2));
            }
        }
        assertThat(stored.keySet())
                .as("every acknowledged write, and none other")
                .isEqualTo(acknowledged);
        assertThat(Set.copyOf(stored.values())).as("each once").containsOnly(1);
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(billedRows(caller.id())).isEqualTo(billed.get()));
        System.out.printf(
                "Database restart (down %d s): answers by status %s; %d acknowledged writes, each stored once;"
                        + " %d billed calls, each in the ledger once; unready %d ms after the stop,"
                        + " ready %d ms after the restart%n",
                DOWN.toSeconds(),
                new java.util.TreeMap<>(statuses),
                acknowledged.size(),
                billed.get(),
                unready / 1_000_000,
                readyAgain / 1_000_000);
    }

    private EmbeddedPostgres startPostgres() throws IOException {
        return EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .start();
    }

    private int billedRows(UUID userId) throws SQLException {
        try (var connection = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
                var statement = connection.prepareStatement(
                        "select count(*) from llm_usage where user_id = ? and model = 'priced-model' and status = 'complete'")) {
            statement.setObject(1, userId);
            try (var rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static void count(Map<Integer, AtomicInteger> statuses, List<String> unexpected, Api.Response response) {
        statuses.computeIfAbsent(response.status(), s -> new AtomicInteger()).incrementAndGet();
        boolean fine = response.status() < 300
                || (response.status() == 503
                        && response.header("Retry-After") != null
                        && response.contentType().startsWith("application/problem+json"));
        if (!fine) {
            unexpected.add(response.status() + " " + response.body());
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
