package dev.colloquy.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy-ha.sh's Kubernetes path against a kubectl that records its calls and answers as a cluster
 * would (a fake on the PATH: no cluster runs here): which calls it makes in which order, what it
 * applies, and its exit status when a step fails.
 */
class DeployHaKubernetesTest {

    private static final Path SCRIPT =
            Path.of("deployment/scripts/deploy-ha.sh").toAbsolutePath();

    @TempDir
    Path dir;

    record Run(int exit, String output, List<String> calls, String applied) {}

    @Test
    void aFirstDeployCreatesTheSecretsAppliesTheManifestsAndWaitsForEveryRollout() throws Exception {
        var run = deploy("", "--image", "registry.example/colloquy:1.2.3", "--skip-health-check");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.calls())
                .containsSubsequence(
                        "version --client",
                        "cluster-info",
                        "auth can-i create deployments -n colloquy",
                        "apply -f -",
                        "-n colloquy get secret colloquy-secrets",
                        "-n colloquy create secret generic colloquy-secrets",
                        "apply -f -",
                        "-n colloquy rollout status statefulset/postgres --timeout=10m",
                        "-n colloquy rollout status statefulset/redis --timeout=10m",
                        "-n colloquy rollout status deployment/colloquy --timeout=10m");
        assertThat(run.applied())
                .contains("image: registry.example/colloquy:1.2.3")
                .doesNotContain("image: colloquy:latest")
                .as("the placeholder Secret would overwrite the real one")
                .doesNotContain("kind: Secret");
        assertThat(run.output()).contains("health:    skipped");
    }

    @Test
    void anExistingSecretIsKeptAndAContextIsPassedOnEveryCall() throws Exception {
        var run = deploy("secret-exists", "--context", "staging", "--skip-health-check");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.calls()).allSatisfy(call -> assertThat(call).startsWith("--context staging"));
        assertThat(run.calls()).noneMatch(call -> call.contains("create secret"));
        assertThat(run.output()).contains("Secret colloquy-secrets exists: kept");
    }

    @Test
    void aRolloutThatDoesNotFinishFailsTheDeployBeforeAnyReport() throws Exception {
        var run = deploy("rollout-fails", "--skip-health-check");

        assertThat(run.exit()).isNotZero();
        assertThat(run.calls()).last().asString().contains("rollout status deployment/colloquy");
        assertThat(run.output()).doesNotContain("Colloquy deployment,");
    }

    @Test
    void noClusterMeansAClearErrorAndNothingApplied() throws Exception {
        var run = deploy("no-cluster");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.output()).contains("no cluster reachable");
        assertThat(run.calls()).noneMatch(call -> call.startsWith("apply"));
    }

    @Test
    void aDryRunValidatesOnTheServerAndChangesNothing() throws Exception {
        var run = deploy("", "--dry-run");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.calls()).contains("apply --dry-run=server -f RENDERED");
        assertThat(run.calls()).noneMatch(call -> call.contains("create secret") || call.equals("apply -f -"));
    }

    @Test
    void withSentinelItsManifestsGoFirstAndReplicasThatRanWithoutItRestart() throws Exception {
        var run = deploy("deployed", "--with-sentinel", "--skip-health-check");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.calls())
                .containsSubsequence(
                        "-n colloquy get deployment/colloquy",
                        "-n colloquy get configmap/colloquy-redis",
                        "apply -f -",
                        "-n colloquy rollout status statefulset/redis-sentinel --timeout=10m",
                        "-n colloquy rollout restart deployment/colloquy",
                        "-n colloquy rollout status deployment/colloquy --timeout=10m");
        var applied = run.applied();
        assertThat(applied).contains("name: redis-sentinel", "SPRING_DATA_REDIS_SENTINEL_NODES");
        assertThat(applied.indexOf("name: colloquy-redis"))
                .as("the Sentinel settings exist before the replicas start")
                .isLessThan(applied.indexOf("kind: Deployment"));
    }

    @Test
    void withSentinelAFirstDeployOrOneAlreadyOnSentinelRestartsNothing() throws Exception {
        for (var behaviour : List.of("", "deployed-with-sentinel")) {
            var run = deploy(behaviour, "--with-sentinel", "--skip-health-check");

            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(run.calls())
                    .as(behaviour)
                    .contains("-n colloquy rollout status statefulset/redis-sentinel --timeout=10m");
            assertThat(run.calls()).as(behaviour).noneMatch(call -> call.contains("rollout restart"));
            Files.deleteIfExists(dir.resolve("calls"));
            Files.deleteIfExists(dir.resolve("applied"));
        }
    }

    /** Runs deploy-ha.sh with the fake kubectl first on the PATH; the fake's behaviour by name. */
    private Run deploy(String behaviour, String... args) throws IOException, InterruptedException {
        var bin = Files.createDirectories(dir.resolve("bin"));
        var kubectl = bin.resolve("kubectl");
        Files.writeString(kubectl, """
                #!/usr/bin/env bash
                # records each call; answers as a cluster would, or fails where FAKE_KUBECTL says
                set -u
                calls="$FAKE_DIR/calls"
                args="$*"
                # a file the script rendered has a random name; secrets stay out of the record
                echo "$args" | sed -E 's#-f /[^ ]+$#-f RENDERED#; s# --from-literal=[^ ]*##g' >>"$calls"
                case "$args" in
                    *"cluster-info"*) [ "$FAKE_KUBECTL" = no-cluster ] && exit 1 ;;
                    *"get secret colloquy-secrets"*) [ "$FAKE_KUBECTL" = secret-exists ] || exit 1 ;;
                    *"get deployment/colloquy"*) case "$FAKE_KUBECTL" in deployed*) ;; *) exit 1 ;; esac ;;
                    *"get configmap/colloquy-redis"*) [ "$FAKE_KUBECTL" = deployed-with-sentinel ] || exit 1 ;;
                    *"apply -f -"*) cat >>"$FAKE_DIR/applied" ;;
                    *"rollout status deployment/colloquy"*) [ "$FAKE_KUBECTL" = rollout-fails ] && { echo "timed out" >&2; exit 1; } ;;
                    *"config current-context"*) echo fake-context ;;
                esac
                exit 0
                """);
        Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));
        var command = new java.util.ArrayList<>(List.of(
                "bash", SCRIPT.toString(), "--report", dir.resolve("report.txt").toString()));
        command.addAll(List.of(args));
        var process = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile());
        process.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        process.environment().put("FAKE_DIR", dir.toString());
        process.environment().put("FAKE_KUBECTL", behaviour);
        var started = process.start();
        var output = new String(started.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(started.waitFor(60, TimeUnit.SECONDS)).isTrue();
        var calls = dir.resolve("calls");
        var applied = dir.resolve("applied");
        return new Run(
                started.exitValue(),
                output,
                Files.exists(calls) ? Files.readAllLines(calls) : List.of(),
                Files.exists(applied) ? Files.readString(applied) : "");
    }
}
