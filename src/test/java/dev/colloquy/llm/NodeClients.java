package dev.colloquy.llm;

import dev.colloquy.NpmPackages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The official npm clients pinned in {@code src/test/node/package.json} (with its lock file),
 * installed once into {@code target/node-clients} with {@code npm ci}, and one scenario of {@code
 * clients.mjs} run against a Colloquy.
 */
final class NodeClients {

    private static final Path SOURCE = Path.of("src/test/node");
    private static final Path INSTALLED = Path.of("target/node-clients");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static volatile boolean ready;

    private NodeClients() {}

    /** Whether Node.js and npm are on this machine. */
    static boolean available() {
        return NpmPackages.available();
    }

    /** Runs a scenario; answers what the client handed back to the application. */
    static JsonNode run(String scenario, String baseUrl, String apiKey, String model) throws Exception {
        install();
        var process = new ProcessBuilder("node", "clients.mjs", scenario)
                .directory(INSTALLED.toFile())
                .redirectErrorStream(false)
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        process.environment().putAll(Map.of("COLLOQUY_URL", baseUrl, "COLLOQUY_KEY", apiKey, "COLLOQUY_MODEL", model));
        var started = process.start();
        started.getOutputStream().close();
        var stderr = new StringBuilder();
        var errors = Thread.ofVirtual().start(() -> {
            try {
                stderr.append(new String(started.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // the process ended
            }
        });
        var out = new String(started.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!started.waitFor(60, TimeUnit.SECONDS)) {
            started.destroyForcibly();
            throw new AssertionError("scenario " + scenario + " did not finish in 60 s");
        }
        errors.join();
        if (started.exitValue() != 0) {
            throw new AssertionError("scenario " + scenario + " failed (exit " + started.exitValue() + "):\n" + stderr);
        }
        return JSON.readTree(out);
    }

    private static synchronized void install() throws IOException, InterruptedException {
        if (!ready) {
            NpmPackages.install(SOURCE, INSTALLED, List.of("clients.mjs"));
            ready = true;
        }
    }
}
