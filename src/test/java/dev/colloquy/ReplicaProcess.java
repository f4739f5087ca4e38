package dev.colloquy;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code target/colloquy-*.jar}) in a JVM of its own on a loopback port, over
 * the tests' PostgreSQL and Redis and the test upstream, started as the container image starts it
 * (the AOT-processed start, {@code -Dspring.aot.enabled=true}): for tests that kill a replica ({@code kill
 * -9}) or stop it (SIGTERM) and watch what survives. Its output goes to {@code target/replicas/}.
 */
public final class ReplicaProcess implements AutoCloseable {

    private static final Path LOGS = Path.of("target", "replicas");
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private final String name;
    private final int port;
    private final Process process;

    private ReplicaProcess(String name, int port, Process process) {
        this.name = name;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts one on this port with the common settings (the test upstream as {@code stream-model},
     * WARN logging) and these environment variables on top; an empty value leaves that variable out.
     */
    public static ReplicaProcess start(String name, int port, Map<String, String> environment) throws IOException {
        var database = TestDatabase.get();
        var redis = TestRedis.get();
        var java = ProcessHandle.current().info().command().orElse("java");
        var builder = new ProcessBuilder(
                java,
                "-Xmx384m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED",
                "-Dspring.aot.enabled=true",
                "-jar",
                jar().toString());
        var env = builder.environment();
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SPRING_DATASOURCE_URL", database.url());
        env.put("SPRING_DATASOURCE_USERNAME", database.user());
        env.put("SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE", "10");
        env.put("SPRING_DATA_REDIS_URL", redis.url());
        env.put("COLLOQUY_CACHE_KEY_PREFIX", redis.prefix());
        env.put("COLLOQUY_CURSORS_SECRET", "replica-process-cursor-secret-0123456789abcdef");
        env.put("COLLOQUY_ADMIN_EMAILS", "root@colloquy.test");
        env.put("COLLOQUY_AUTH_SIGNUP", "open");
        env.put("COLLOQUY_LLM_DEFAULT_MODEL", "local");
        env.put("COLLOQUY_LLM_MODELS_0_NAME", "stream-model");
        env.put("COLLOQUY_LLM_MODELS_0_BASE_URL", FakeUpstream.get().baseUrl());
        env.put("COLLOQUY_DOCUMENTS_WORKERS", "1");
        env.put("LOGGING_LEVEL_ROOT", "WARN");
        env.remove("LOG_FORMAT");
        environment.forEach((key, value) -> {
            if (value.isEmpty()) {
                env.remove(key);
            } else {
                env.put(key, value);
            }
        });
        Files.createDirectories(LOGS);
        builder.redirectErrorStream(true);
        builder.redirectOutput(
                ProcessBuilder.Redirect.appendTo(LOGS.resolve(name + ".log").toFile()));
        return new ReplicaProcess(name, port, builder.start());
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public Api api() {
        return new Api(baseUrl());
    }

    /** Waits until its readiness probe answers 200; fails the test if it exits or the deadline passes. */
    public void awaitReady(long deadlineNanos) throws InterruptedException {
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError(
                        name + " exited with " + process.exitValue() + ": see " + LOGS.resolve(name + ".log"));
            }
            try {
                var response = HTTP.send(
                        HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/health/readiness"))
                                .timeout(Duration.ofSeconds(2))
                                .build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            if (System.nanoTime() > deadlineNanos) {
                throw new AssertionError(name + " was not ready in time");
            }
            Thread.sleep(100);
        }
    }

    /** {@code kill -9}: no shutdown hook, no flush, no drain. Returns once it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the graceful shutdown a rollout or {@code docker stop} starts. */
    public void terminate() {
        process.destroy();
    }

    /** Waits for it to exit; true if it did within the time. */
    public boolean awaitExit(Duration within) throws InterruptedException {
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Its exit status, once {@link #awaitExit} said it exited. */
    public int exitValue() {
        return process.exitValue();
    }

    /** What it wrote (standard output and error), appended to across runs of the same name. */
    public Path log() {
        return LOGS.resolve(name + ".log");
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    public static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Path jar() throws IOException {
        try (var files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("colloquy-.*\\.jar"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no target/colloquy-*.jar: run the package phase first"));
        }
    }
}
