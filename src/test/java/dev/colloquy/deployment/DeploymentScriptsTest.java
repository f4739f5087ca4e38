package dev.colloquy.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The deployment scripts as an operator meets them: {@code --help} explains, a wrong option is a
 * usage error (exit 2), {@code --dry-run} checks and changes nothing. shellcheck runs on them in
 * monitoring/check; {@link FailoverIT} runs health-check.sh against live replicas.
 */
class DeploymentScriptsTest {

    static final List<Path> SCRIPTS = List.of(
            Path.of("deployment/quick-start.sh"),
            Path.of("deployment/scripts/deploy-ha.sh"),
            Path.of("deployment/scripts/health-check.sh"));

    record Run(int exit, String output) {}

    @Test
    void everyScriptIsStrictAndExplainsItself() throws Exception {
        for (var script : SCRIPTS) {
            var text = Files.readString(script);
            assertThat(text)
                    .as(script.toString())
                    .startsWith("#!/usr/bin/env bash")
                    .contains("set -euo pipefail");
            assertThat(Files.isExecutable(script)).as(script + " is executable").isTrue();
            var help = run(script, "--help");
            assertThat(help.exit()).as(script + " --help").isZero();
            assertThat(help.output())
                    .contains("Usage: deployment/")
                    .contains("--dry-run")
                    .contains("--help");
            var wrong = run(script, "--no-such-option");
            assertThat(wrong.exit()).as(script + " with an unknown option").isEqualTo(2);
            assertThat(wrong.output()).contains("unknown option --no-such-option");
        }
    }

    @Test
    void theHealthCheckDryRunSaysWhatItWouldCheck() throws Exception {
        var run = run(SCRIPTS.get(2), "--dry-run", "--balancer", "http://127.0.0.1:9", "--requests", "5");
        assertThat(run.exit()).isZero();
        assertThat(run.output()).contains("http://127.0.0.1:9", "5 requests");
        assertThat(run(SCRIPTS.get(2), "--requests", "many").exit()).isEqualTo(2);
    }

    @Test
    void theQuickStartDryRunValidatesBothComposeFilesAndStartsNothing() throws Exception {
        boolean compose = onPath("docker-compose");
        Assumptions.assumeTrue(
                compose || "true".equals(System.getenv("CI")),
                "docker-compose (Debian package docker-compose) is not installed: the dry run is left out");
        assertThat(compose).as("CI must run this: install docker-compose").isTrue();
        // a copy of the kit without any .env an operator may have here
        var root = Files.createTempDirectory("quick-start");
        Files.writeString(root.resolve("Dockerfile"), "");
        copy(Path.of("deployment"), root.resolve("deployment"));
        copy(Path.of("monitoring"), root.resolve("monitoring"));
        Files.copy(Path.of("docker-compose.monitoring.yml"), root.resolve("docker-compose.monitoring.yml"));
        Files.deleteIfExists(root.resolve("deployment/.env"));
        var script = root.resolve("deployment/quick-start.sh");
        var run = run(script, "--dry-run");
        var both = run(script, "--dry-run", "--with-monitoring");
        var bothDown = run(script, "--dry-run", "--down", "--with-monitoring");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("Checking the Compose file")
                .contains("Would write deployment/.env")
                .contains("Would run:")
                .doesNotContain("monitoring");
        assertThat(both.exit()).as(both.output()).isZero();
        assertThat(both.output())
                .as("both stacks' Compose files are checked, the monitoring one under its own project name")
                .contains("Checking the Compose file", "Checking the monitoring Compose file")
                .contains("-p colloquy-monitoring -f ../docker-compose.monitoring.yml up -d");
        assertThat(bothDown.output())
                .as("the monitoring stack goes down first: it joins the HA stack's network")
                .containsSubsequence("colloquy-monitoring", "down", "docker-compose.ha.yml down");
        assertThat(Files.exists(root.resolve("deployment/.env")))
                .as("a dry run writes nothing")
                .isFalse();
        assertThat(Files.exists(root.resolve("monitoring/grafana/admin-password")))
                .isFalse();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (var file : files.toList()) {
                var target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static Run run(Path script, String... arguments) throws IOException, InterruptedException {
        var command = new java.util.ArrayList<String>(List.of("bash", script.toString()));
        command.addAll(List.of(arguments));
        var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    private static boolean onPath(String tool) {
        for (var dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
