package dev.colloquy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What ships and what is committed: the build writes a CycloneDX SBOM of every dependency into the
 * jar, every dependency and plugin version is pinned, and no credential sits in the repository.
 */
class SupplyChainTest {

    private static final Path SBOM = Path.of("target", "classes", "META-INF", "sbom", "application.cdx.json");

    /** Shapes of real credentials: private keys, cloud and provider keys, tokens. */
    private static final List<Pattern> SECRETS = List.of(
            Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----"),
            Pattern.compile("\\bAKIA[0-9A-Z]{16}\\b"),
            Pattern.compile("\\bsk-(proj-|ant-api\\d\\d-)?[A-Za-z0-9_]{32,}"),
            Pattern.compile("\\bgh[pousr]_[A-Za-z0-9]{36}\\b"),
            Pattern.compile("\\bxox[baprs]-[A-Za-z0-9-]{10,}"),
            Pattern.compile("\\bAIza[0-9A-Za-z_-]{35}\\b"));

    private static final Set<String> SKIPPED_DIRECTORIES = Set.of("target", ".git", "node_modules", ".mvn");

    @Test
    void theJarCarriesAnSbomOfEveryDependency() throws IOException {
        Assumptions.assumeTrue(
                Files.exists(SBOM) || !Boolean.getBoolean("colloquy.maven.offline"),
                "Maven ran offline (-o), and cyclonedx-maven-plugin runs only online: no SBOM to check");
        assertThat(SBOM)
                .as("written by cyclonedx-maven-plugin in generate-resources")
                .exists();
        var bom = JsonMapper.builder().build().readTree(Files.readString(SBOM));

        assertThat(bom.path("bomFormat").asString()).isEqualTo("CycloneDX");
        assertThat(bom.path("metadata").path("component").path("name").asString())
                .isEqualTo("colloquy");
        var components = new ArrayList<JsonNode>();
        bom.path("components").forEach(components::add);
        var names = components.stream()
                .map(c -> c.path("group").asString() + ":" + c.path("name").asString())
                .toList();
        assertThat(names)
                .contains(
                        "org.springframework.boot:spring-boot",
                        "org.postgresql:postgresql",
                        "io.lettuce:lettuce-core",
                        "com.zaxxer:HikariCP",
                        "org.flywaydb:flyway-core");
        assertThat(components).allSatisfy(component -> {
            assertThat(component.path("version").asString()).isNotBlank().doesNotContain("SNAPSHOT");
            assertThat(component.path("purl").asString()).startsWith("pkg:maven/");
        });
    }

    @Test
    void everyDependencyAndPluginVersionIsPinned() throws Exception {
        var pom = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(Path.of("pom.xml").toFile());
        var versions = pom.getElementsByTagName("version");
        var floating = new ArrayList<String>();
        for (int i = 0; i < versions.getLength(); i++) {
            var version = (Element) versions.item(i);
            var owner = (Element) version.getParentNode();
            if (!Set.of("dependency", "plugin", "parent").contains(owner.getTagName())) {
                continue; // Colloquy's own version, the enforcer's JDK range
            }
            var text = version.getTextContent().strip();
            if (text.matches(".*[\\[\\](),].*")
                    || text.equals("LATEST")
                    || text.equals("RELEASE")
                    || text.endsWith("-SNAPSHOT")) {
                floating.add(owner.getTextContent().strip().replaceAll("\\s+", " "));
            }
        }
        assertThat(floating).as("version ranges, LATEST, RELEASE or snapshots").isEmpty();
        var properties = (Element) pom.getElementsByTagName("properties").item(0);
        for (int i = 0; i < properties.getChildNodes().getLength(); i++) {
            if (properties.getChildNodes().item(i) instanceof Element property
                    && property.getTagName().endsWith(".version")) {
                assertThat(property.getTextContent().strip())
                        .as(property.getTagName())
                        .matches("[0-9][0-9A-Za-z.\\-]*")
                        .doesNotEndWith("-SNAPSHOT");
            }
        }
    }

    @Test
    void noCredentialIsCommitted() throws IOException {
        var found = new ArrayList<String>();
        try (Stream<Path> files = Files.walk(Path.of("."))) {
            files.filter(Files::isRegularFile).filter(SupplyChainTest::scanned).forEach(file -> {
                var text = readText(file);
                for (var secret : SECRETS) {
                    var matcher = secret.matcher(text);
                    if (matcher.find()) {
                        found.add(file + ": " + matcher.group().substring(0, 12) + "...");
                    }
                }
            });
        }
        try (Stream<Path> files = Files.walk(Path.of("."))) {
            files.filter(SupplyChainTest::scanned)
                    .map(file -> file.getFileName().toString())
                    .filter(name -> name.equals(".env")
                            || name.endsWith(".pem")
                            || name.endsWith(".p12")
                            || name.endsWith(".jks")
                            || name.equals("id_rsa"))
                    .forEach(name -> found.add("a credential file: " + name));
        }
        assertThat(found).isEmpty();
    }

    private static boolean scanned(Path file) {
        for (var part : file) {
            if (SKIPPED_DIRECTORIES.contains(part.toString())) {
                return false;
            }
        }
        return true;
    }

    /** The file as text; a binary file (not UTF-8) as nothing. */
    private static String readText(Path file) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException binary) {
            return "";
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
