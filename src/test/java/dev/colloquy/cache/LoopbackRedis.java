package dev.colloquy.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Redis servers of a test, run from Debian's {@code redis-server} on free loopback ports and stopped
 * by their processes: for the Cluster and Sentinel tests. Without {@code redis-server} and {@code
 * redis-cli} such a test is skipped, except under {@code CI=true}.
 */
final class LoopbackRedis implements AutoCloseable {

    private final Path directory;
    private final List<Process> processes = new ArrayList<>();

    LoopbackRedis(String name) throws IOException {
        required("Debian's redis-server", "redis-server", "Debian's redis-tools", "redis-cli");
        directory = Files.createTempDirectory("colloquy-" + name);
    }

    /** A directory of its own for the server on this port. */
    Path directory(int port) throws IOException {
        return Files.createDirectories(directory.resolve(Integer.toString(port)));
    }

    /** Starts {@code redis-server} with these arguments, its output in its directory; its process. */
    Process start(int port, List<String> arguments) throws IOException {
        var command = new ArrayList<>(List.of("redis-server"));
        command.addAll(arguments);
        return launch(command, directory(port).resolve("server.log"));
    }

    /**
     * Another tool of the test (an exporter, Prometheus), started with this command, its output in a
     * directory of its own, and stopped with the servers.
     */
    Process startTool(String name, List<String> command) throws IOException {
        return launch(command, Files.createDirectories(directory.resolve(name)).resolve(name + ".log"));
    }

    private Process launch(List<String> command, Path log) throws IOException {
        var process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        processes.add(process);
        return process;
    }

    /**
     * Where each of these commands is, from pairs of a description (what installs it) and a command;
     * the test is skipped when one is missing, except under {@code CI=true}, where it fails.
     */
    static Map<String, String> required(String... descriptionsAndCommands) {
        var found = new HashMap<String, String>();
        for (int i = 0; i < descriptionsAndCommands.length; i += 2) {
            var command = descriptionsAndCommands[i + 1];
            var path = onPath(command);
            if ("true".equals(System.getenv("CI"))) {
                assertThat(path)
                        .as("CI must run this test: install %s", descriptionsAndCommands[i])
                        .isNotNull();
            } else {
                assumeThat(path)
                        .as("%s is not installed", descriptionsAndCommands[i])
                        .isNotNull();
            }
            found.put(command, path.toString());
        }
        return found;
    }

    /** A server on loopback without persistence: the arguments every one of them takes. */
    List<String> plain(int port) throws IOException {
        return new ArrayList<>(List.of(
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                directory(port).toString(),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no"));
    }

    /** {@code 127.0.0.1:port,...}, as Spring's Cluster and Sentinel settings take them. */
    static String nodes(List<Integer> ports) {
        return String.join(",", ports.stream().map(port -> "127.0.0.1:" + port).toList());
    }

    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as(String.join(" ", command))
                .isTrue();
        return output;
    }

    static String cli(int port, String... arguments) throws IOException, InterruptedException {
        var command = new ArrayList<>(List.of("redis-cli", "-p", Integer.toString(port)));
        command.addAll(List.of(arguments));
        return run(command);
    }

    /** Waits (20 s at most) until the server on this port answers with something containing this. */
    static void await(int port, String expected, String... arguments) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!cli(port, arguments).contains(expected)) {
            assertThat(System.nanoTime())
                    .as("%s answers %s with %s", port, String.join(" ", arguments), expected)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static Path onPath(String command) {
        for (var directory : System.getenv().getOrDefault("PATH", "").split(":")) {
            var candidate = Path.of(directory, command);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Stops every server still running, then removes their directories. */
    @Override
    public void close() throws Exception {
        for (var process : processes) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        try (var files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        }
    }
}
