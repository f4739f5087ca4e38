package dev.colloquy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * npm packages the tests drive, pinned with a lock file in a folder under {@code src/test/}, installed
 * with {@code npm ci} into a folder under {@code target/}: again only when the lock file is newer than
 * the installation.
 */
public final class NpmPackages {

    private NpmPackages() {}

    /** Whether Node.js and npm are on this machine. */
    public static boolean available() {
        return runs("node", "--version") && runs("npm", "--version");
    }

    /**
     * Copies {@code package.json}, {@code package-lock.json} and the other files named from {@code
     * source} to {@code target} and installs the locked packages there; answers {@code target}.
     */
    public static Path install(Path source, Path target, List<String> otherFiles)
            throws IOException, InterruptedException {
        Files.createDirectories(target);
        var files = new java.util.ArrayList<>(List.of("package.json", "package-lock.json"));
        files.addAll(otherFiles);
        for (var file : files) {
            Files.copy(source.resolve(file), target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        var marker = target.resolve("node_modules/.package-lock.json");
        if (!Files.exists(marker)
                || Files.getLastModifiedTime(marker)
                                .compareTo(Files.getLastModifiedTime(source.resolve("package-lock.json")))
                        < 0) {
            var npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
                    .directory(target.toFile())
                    .redirectErrorStream(true)
                    .start();
            var log = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!npm.waitFor(5, TimeUnit.MINUTES) || npm.exitValue() != 0) {
                throw new AssertionError("npm ci of the packages pinned in " + source + " failed:\n" + log);
            }
        }
        return target;
    }

    private static boolean runs(String... command) {
        try {
            var process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
