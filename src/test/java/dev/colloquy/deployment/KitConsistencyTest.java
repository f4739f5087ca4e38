package dev.colloquy.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The kit read as one whole, the way an operator runs it: the HA stack and the monitoring stack up
 * together, Prometheus scraping both, the documents pointing at files. Each test fails on one class
 * of defect that an audit once found by hand (issue 19): a scrape target that no service listens on,
 * a network used but not created, two services binding one host port, a variable with no default
 * and no line in {@code .env.example}, a mounted file that is not there, a JSON file with a duplicate
 * key, a document citing a file that is not there, a heap that alone pushes a replica past the HPA's
 * memory target.
 */
class KitConsistencyTest {

    private static final Path HA = Path.of("deployment/docker-compose.ha.yml");
    private static final Path MONITORING = Path.of("docker-compose.monitoring.yml");
    /** The Sentinel option of the HA stack, a file Compose reads on top of it. */
    private static final Path SENTINEL = Path.of("deployment/docker-compose.sentinel.yml");

    private static final List<Path> STACKS = List.of(HA, SENTINEL, MONITORING);
    private static final Path KUBERNETES = Path.of("deployment/kubernetes/all-in-one.yml");
    private static final Path KUBERNETES_MONITORING = Path.of("deployment/kubernetes/monitoring.yml");
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The port each image of the kit listens on by default, from the image's documentation; a
     * service that sets {@code SERVER_PORT} (ours) or {@code PORT} (the Logstash exporter) listens
     * there instead. Traefik's ports come from its own static configuration.
     */
    private static final Map<String, Set<Integer>> IMAGE_PORTS = Map.ofEntries(
            Map.entry("prom/prometheus", Set.of(9090)),
            Map.entry("prom/alertmanager", Set.of(9093)),
            Map.entry("grafana/grafana", Set.of(3000)),
            Map.entry("elasticsearch", Set.of(9200, 9300)),
            Map.entry("logstash", Set.of(5044, 5000, 9600)),
            Map.entry("kibana", Set.of(5601)),
            Map.entry("prom/node-exporter", Set.of(9100)),
            Map.entry("gcr.io/cadvisor/cadvisor", Set.of(8080)),
            Map.entry("prometheuscommunity/postgres-exporter", Set.of(9187)),
            Map.entry("oliver006/redis_exporter", Set.of(9121)),
            Map.entry("prometheuscommunity/elasticsearch-exporter", Set.of(9114)),
            Map.entry("prom/blackbox-exporter", Set.of(9115)),
            Map.entry("postgres", Set.of(5432)),
            Map.entry("pgvector/pgvector", Set.of(5432)),
            Map.entry("redis", Set.of(6379)));

    @Test
    void everyNetworkAServiceJoinsIsDeclaredAndEveryExternalOneIsCreatedByTheOtherStack() throws IOException {
        var created = new TreeSet<String>();
        var external = new LinkedHashMap<String, Path>();
        var problems = new ArrayList<String>();
        for (var stack : STACKS) {
            var compose = DeploymentFilesTest.yaml(stack);
            // the Sentinel file is read on top of the HA stack: its services join the HA stack's networks
            var declared =
                    stack.equals(SENTINEL) ? DeploymentFilesTest.yaml(HA).path("networks") : compose.path("networks");
            declared.fields().forEachRemaining(network -> {
                var name = network.getValue().path("name").asText(network.getKey());
                if (network.getValue().path("external").asBoolean(false)) {
                    external.put(name, stack);
                } else {
                    created.add(name);
                }
            });
            compose.path("services").fields().forEachRemaining(service -> {
                for (var network : names(service.getValue().path("networks"))) {
                    if (!declared.has(network)) {
                        problems.add(stack + ": " + service.getKey() + " joins undeclared network " + network);
                    }
                }
            });
        }
        external.forEach((name, stack) -> {
            if (!created.contains(name)) {
                problems.add(stack + ": external network " + name + " is created by no stack of the kit");
            }
        });

        assertThat(problems).isEmpty();
        assertThat(external)
                .as("the monitoring stack joins the HA stack's network")
                .isNotEmpty();
    }

    @Test
    void noTwoServicesOfTheStacksBindTheSameHostPort() throws IOException {
        var bound = new HashMap<String, String>();
        var clashes = new ArrayList<String>();
        for (var stack : STACKS) {
            DeploymentFilesTest.yaml(stack).path("services").fields().forEachRemaining(service -> {
                for (var port : service.getValue().path("ports")) {
                    var binding = hostBinding(port.asText());
                    var owner = stack + " " + service.getKey();
                    // 127.0.0.1:8080 and 8080 (every address) clash as well
                    var key = binding.port() + "/" + binding.protocol();
                    var previous = bound.get(key);
                    if (previous != null) {
                        clashes.add(key + ": " + previous + " and " + owner);
                    } else {
                        bound.put(key, owner);
                    }
                }
            });
        }

        assertThat(clashes).isEmpty();
    }

    @Test
    void everyScrapeTargetIsAServiceOfTheKitListeningOnThatPort() throws IOException {
        var listening = listeningPorts();
        var prometheus = DeploymentFilesTest.yaml(Path.of("monitoring/prometheus/prometheus.yml"));
        var problems = new ArrayList<String>();
        var targets = new ArrayList<String>();
        for (var job : prometheus.path("scrape_configs")) {
            for (var config : job.path("static_configs")) {
                for (var target : config.path("targets")) {
                    // a probed URL (blackbox) names its host and port the same way
                    var address = target.asText().replaceFirst("^https?://", "").replaceFirst("/.*$", "");
                    targets.add(job.path("job_name").asText() + " " + address);
                }
            }
            for (var config : job.path("dns_sd_configs")) {
                // each name looked up on the network, at the port the config gives (type A)
                for (var name : config.path("names")) {
                    targets.add(job.path("job_name").asText() + " " + name.asText() + ":"
                            + config.path("port").asInt());
                }
            }
            for (var relabel : job.path("relabel_configs")) {
                if (relabel.path("target_label").asText().equals("__address__")) {
                    targets.add(job.path("job_name").asText() + " "
                            + relabel.path("replacement").asText());
                }
            }
        }
        for (var alertmanagers : prometheus.path("alerting").path("alertmanagers")) {
            for (var config : alertmanagers.path("static_configs")) {
                for (var target : config.path("targets")) {
                    targets.add("alerting " + target.asText());
                }
            }
        }
        for (var entry : targets) {
            var address = entry.substring(entry.indexOf(' ') + 1);
            var host = address.substring(0, address.lastIndexOf(':'));
            int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            var service = host.equals("localhost") ? "prometheus" : host;
            var ports = listening.get(service);
            if (ports == null) {
                problems.add(entry + ": no service " + host + " in either stack");
            } else if (!ports.contains(port)) {
                problems.add(entry + ": " + service + " listens on " + ports + ", not " + port);
            }
        }

        assertThat(targets).hasSizeGreaterThan(10);
        assertThat(problems).isEmpty();
    }

    @Test
    void everyVariableWithoutADefaultHasALineInTheStacksEnvExample() throws IOException {
        // $${X} is a literal ${X} for the container's shell, not a variable of Compose
        var reference = Pattern.compile("(?<!\\$)\\$\\{([A-Z0-9_]+)(:?[-?][^}]*)?}");
        var problems = new ArrayList<String>();
        for (var stack : STACKS) {
            var example = stack.toAbsolutePath().getParent().resolve(".env.example");
            var documented = Files.exists(example)
                    ? Files.readAllLines(example).stream()
                            .filter(line -> line.contains("="))
                            .map(line -> line.substring(0, line.indexOf('=')).strip())
                            .toList()
                    : List.<String>of();
            var matcher = reference.matcher(Files.readString(stack));
            while (matcher.find()) {
                boolean hasDefault =
                        matcher.group(2) != null && matcher.group(2).contains("-");
                if (!hasDefault && !documented.contains(matcher.group(1))) {
                    problems.add(stack + ": ${" + matcher.group(1) + "} has no default and no line in " + example);
                }
            }
        }

        assertThat(problems).isEmpty();
    }

    @Test
    void everyMountedFileIsInTheRepositoryOrTheStacksReadmeSaysToCreateIt() throws IOException {
        var readmes =
                Files.readString(Path.of("monitoring/README.md")) + Files.readString(Path.of("deployment/README.md"));
        var problems = new ArrayList<String>();
        for (var stack : STACKS) {
            var base = stack.toAbsolutePath().getParent();
            DeploymentFilesTest.yaml(stack).path("services").fields().forEachRemaining(service -> {
                for (var volume : service.getValue().path("volumes")) {
                    var source = volume.asText().split(":")[0];
                    // ${VAR:-./default} mounts the default unless the operator says otherwise
                    source = source.replaceFirst("^\\$\\{[A-Z0-9_]+:-(.*)}$", "$1");
                    if (!source.startsWith(".")) {
                        continue; // a named volume, or an absolute path of the host (/sys, /var/run)
                    }
                    var file = base.resolve(source).normalize();
                    var relative = Path.of("").toAbsolutePath().relativize(file).toString();
                    if (!Files.exists(file) && !readmes.contains(relative)) {
                        problems.add(stack + ": " + service.getKey() + " mounts " + relative
                                + ", which is not there and no README says to create");
                    }
                }
            });
        }

        assertThat(problems).isEmpty();
    }

    @Test
    void noJsonFileOfTheKitHasADuplicateKey() throws IOException {
        var strict = JSON.copy().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        var problems = new ArrayList<String>();
        var files = new ArrayList<Path>();
        for (var root : List.of(Path.of("monitoring"), Path.of("deployment"))) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".ndjson"))
                        .forEach(files::add);
            }
        }
        for (var file : files) {
            var lines = file.toString().endsWith(".ndjson")
                    ? Files.readAllLines(file).stream()
                            .filter(line -> !line.isBlank())
                            .toList()
                    : List.of(Files.readString(file));
            for (var document : lines) {
                try {
                    strict.readTree(document);
                } catch (com.fasterxml.jackson.core.JacksonException e) {
                    problems.add(file + ": " + e.getOriginalMessage());
                }
            }
        }

        assertThat(files).hasSizeGreaterThan(3);
        assertThat(problems).isEmpty();
    }

    @Test
    void everyFileADocumentCitesIsThere() throws IOException {
        var cited = Pattern.compile("`([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.{}-]+)+/?)`|\\]\\(([^)#:]+?)(?:#[^)]*)?\\)");
        var roots = new TreeSet<String>();
        try (var top = Files.list(Path.of(""))) {
            top.map(p -> p.getFileName().toString()).forEach(roots::add);
        }
        var documents = new ArrayList<Path>(List.of(Path.of("README.md"), Path.of("BENCHMARKS.md")));
        for (var root : List.of(Path.of("docs"), Path.of("monitoring"), Path.of("deployment"))) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> p.toString().endsWith(".md")).forEach(documents::add);
            }
        }
        var ignored = Files.readAllLines(Path.of(".gitignore")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("!") && !line.contains("*"))
                .toList();
        var problems = new ArrayList<String>();
        for (var document : documents) {
            var matcher = cited.matcher(Files.readString(document));
            while (matcher.find()) {
                var path = matcher.group(1) != null
                        ? matcher.group(1)
                        : matcher.group(2).strip();
                if (path.contains("{") || path.contains("*") || path.contains("...") || path.startsWith("http")) {
                    continue;
                }
                if (ignored.stream().anyMatch(entry -> path.equals(entry) || path.startsWith(entry))) {
                    continue; // what a run writes (target/, deployment/reports/), not a file of the repository
                }
                var first = path.split("/")[0];
                var fromDocument =
                        document.toAbsolutePath().getParent().resolve(path).normalize();
                boolean inRepository = roots.contains(first) || matcher.group(2) != null;
                if (inRepository && !Files.exists(Path.of(path)) && !Files.exists(fromDocument)) {
                    problems.add(document + " cites " + path);
                }
            }
        }

        assertThat(documents).hasSizeGreaterThan(5);
        assertThat(problems).isEmpty();
    }

    @Test
    void aReplicasOwnHeapCannotPushItPastTheAutoscalersMemoryTarget() throws IOException {
        var objects = objects(KUBERNETES);
        var deployment = find(objects, "Deployment", "colloquy");
        var container = deployment
                .path("spec")
                .path("template")
                .path("spec")
                .path("containers")
                .get(0);
        long request = bytes(
                container.path("resources").path("requests").path("memory").asText());
        long limit =
                bytes(container.path("resources").path("limits").path("memory").asText());
        var options = objects.stream()
                .filter(o -> o.path("kind").asText().equals("ConfigMap"))
                .map(o -> o.path("data").path("JAVA_TOOL_OPTIONS").asText())
                .filter(s -> !s.isEmpty())
                .findFirst()
                .orElseThrow();
        var percentage = Pattern.compile("-XX:MaxRAMPercentage=([0-9.]+)").matcher(options);
        assertThat(percentage.find()).as("JAVA_TOOL_OPTIONS bounds the heap").isTrue();
        double heap = Double.parseDouble(percentage.group(1)) / 100 * limit;
        int target = 0;
        for (var metric : find(objects, "HorizontalPodAutoscaler", "colloquy")
                .path("spec")
                .path("metrics")) {
            if (metric.path("resource").path("name").asText().equals("memory")) {
                target = metric.path("resource")
                        .path("target")
                        .path("averageUtilization")
                        .asInt();
            }
        }
        // besides the heap, an idle replica holds metaspace, code cache and thread stacks, and the two
        // embedding models in native memory (190 MB together: BENCHMARKS.md, "Retrieval in Chinese
        // and English"): 384 MiB in all
        double idle = heap + 384L * 1024 * 1024;

        assertThat(target).isPositive();
        assertThat(idle)
                .as("heap %.0f MiB + 384 MiB against %d%% of a %d MiB request", heap / 1048576, target, request >> 20)
                .isLessThanOrEqualTo(target / 100.0 * request);
    }

    @Test
    void theKubernetesMonitoringIsGeneratedFromTheRuleFilesAndDashboardsAndScrapesTheReplicas() throws Exception {
        var regenerated = Files.createTempFile("monitoring", ".yml");
        try {
            var generator = new ProcessBuilder(
                            "bash", "deployment/kubernetes/generate-monitoring", regenerated.toString())
                    .redirectErrorStream(true)
                    .start();
            var said = new String(generator.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(generator.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(generator.exitValue()).as(said).isZero();
            assertThat(Files.readString(KUBERNETES_MONITORING))
                    .as("%s is what deployment/kubernetes/generate-monitoring writes: run it", KUBERNETES_MONITORING)
                    .isEqualTo(Files.readString(regenerated));
        } finally {
            Files.delete(regenerated);
        }
        var monitoring = objects(KUBERNETES_MONITORING);
        var alerts = find(monitoring, "PrometheusRule", "colloquy-alerts");
        var recording = find(monitoring, "PrometheusRule", "colloquy-recording-rules");
        var dashboards = find(monitoring, "ConfigMap", "colloquy-grafana-dashboards");
        var podMonitor = find(monitoring, "PodMonitor", "colloquy");
        var pods =
                find(objects(KUBERNETES), "Deployment", "colloquy").path("spec").path("template");
        var ports = new TreeSet<String>();
        pods.path("spec")
                .path("containers")
                .forEach(c ->
                        c.path("ports").forEach(p -> ports.add(p.path("name").asText())));

        assertThat(alerts.path("spec").path("groups"))
                .isEqualTo(DeploymentFilesTest.yaml(Path.of("monitoring/prometheus/alerts.yml"))
                        .path("groups"));
        // Alertmanager: the kit's configuration, with its files where the operator mounts them
        var values = DeploymentFilesTest.yaml(Path.of("deployment/kubernetes/kube-prometheus-stack-values.yml"));
        var configSecret =
                values.at("/alertmanager/alertmanagerSpec/configSecret").asText();
        var credentials = values.at("/alertmanager/alertmanagerSpec/secrets/0").asText();
        var alertmanager = find(monitoring, "Secret", configSecret);
        var kit = Files.readString(Path.of("monitoring/alertmanager/alertmanager.yml"))
                .replace("/etc/alertmanager/secrets/", "/etc/alertmanager/secrets/" + credentials + "/")
                .replace("- templates/*.tmpl", "- /etc/alertmanager/config/*.tmpl");
        JsonNode generated = JSON.valueToTree(DeploymentFilesTest.yamlParser()
                .load(alertmanager.at("/stringData/alertmanager.yaml").asText()));
        JsonNode expected = JSON.valueToTree(DeploymentFilesTest.yamlParser().load(kit));
        assertThat(generated).isEqualTo(expected);
        try (var templates = Files.list(Path.of("monitoring/alertmanager/templates"))) {
            for (var template : templates.toList()) {
                assertThat(alertmanager
                                .at("/stringData/" + template.getFileName())
                                .asText())
                        .as(template.toString())
                        .isEqualTo(Files.readString(template));
            }
        }
        assertThat(recording.path("spec").path("groups"))
                .isEqualTo(DeploymentFilesTest.yaml(Path.of("monitoring/prometheus/recording_rules.yml"))
                        .path("groups"));
        try (var files = Files.list(Path.of("monitoring/grafana/dashboards"))) {
            for (var file : files.toList()) {
                assertThat(JSON.readTree(dashboards
                                .path("data")
                                .path(file.getFileName().toString())
                                .asText()))
                        .isEqualTo(JSON.readTree(file.toFile()));
            }
        }
        podMonitor
                .path("spec")
                .path("selector")
                .path("matchLabels")
                .fields()
                .forEachRemaining(label -> assertThat(pods.path("metadata")
                                .path("labels")
                                .path(label.getKey())
                                .asText())
                        .as("the PodMonitor selects the replicas by %s", label.getKey())
                        .isEqualTo(label.getValue().asText()));
        assertThat(ports)
                .contains(podMonitor
                        .path("spec")
                        .path("podMetricsEndpoints")
                        .get(0)
                        .path("port")
                        .asText());
    }

    @Test
    void everyRedisPodCarriesTheExporterThatTheRedisPodMonitorScrapes() throws Exception {
        var podMonitor = find(objects(KUBERNETES_MONITORING), "PodMonitor", "redis");
        var selector = podMonitor.at("/spec/selector/matchExpressions/0");
        var port = podMonitor.at("/spec/podMetricsEndpoints/0/port").asText();
        var selected = new TreeSet<String>();
        selector.path("values").forEach(value -> selected.add(value.asText()));
        var redisSets = new ArrayList<JsonNode>();
        redisSets.add(find(objects(KUBERNETES), "StatefulSet", "redis"));
        redisSets.add(
                find(objects(Path.of("deployment/kubernetes/redis-sentinel.yml")), "StatefulSet", "redis-sentinel"));

        assertThat(selector.path("key").asText()).isEqualTo("app.kubernetes.io/name");
        assertThat(selector.path("operator").asText()).isEqualTo("In");
        for (var set : redisSets) {
            var name = set.at("/metadata/name").asText();
            var pod = set.at("/spec/template");
            assertThat(pod.at("/metadata/labels/app.kubernetes.io~1name").asText())
                    .as("the PodMonitor redis selects the pods of %s", name)
                    .isIn(selected);
            int redisPort = -1;
            JsonNode exporter = null;
            for (var container : pod.at("/spec/containers")) {
                for (var containerPort : container.path("ports")) {
                    if (containerPort.path("name").asText().equals("redis")) {
                        redisPort = containerPort.path("containerPort").asInt();
                    }
                    if (containerPort.path("name").asText().equals(port)) {
                        exporter = container;
                    }
                }
            }
            assertThat(exporter)
                    .as("%s has a container with the port %s", name, port)
                    .isNotNull();
            assertThat(exporter.path("image").asText()).startsWith("oliver006/redis_exporter:");
            var address = new ArrayList<String>();
            exporter.path("env").forEach(variable -> {
                if (variable.path("name").asText().equals("REDIS_ADDR")) {
                    address.add(variable.path("value").asText());
                }
            });
            assertThat(address)
                    .as("the exporter of %s reads the Redis of its own pod", name)
                    .containsExactly("redis://localhost:" + redisPort);
        }
    }

    @Test
    void thePostgresPodCarriesTheExporterThatThePostgresPodMonitorScrapes() throws Exception {
        var podMonitor = find(objects(KUBERNETES_MONITORING), "PodMonitor", "postgres");
        var port = podMonitor.at("/spec/podMetricsEndpoints/0/port").asText();
        var postgres = find(objects(KUBERNETES), "StatefulSet", "postgres");
        var pod = postgres.at("/spec/template");
        podMonitor
                .at("/spec/selector/matchLabels")
                .fields()
                .forEachRemaining(label -> assertThat(
                                pod.at("/metadata/labels").path(label.getKey()).asText())
                        .as("the PodMonitor postgres selects the pods of postgres by %s", label.getKey())
                        .isEqualTo(label.getValue().asText()));
        int postgresPort = -1;
        JsonNode server = null;
        JsonNode exporter = null;
        for (var container : pod.at("/spec/containers")) {
            for (var containerPort : container.path("ports")) {
                if (containerPort.path("name").asText().equals("postgres")) {
                    postgresPort = containerPort.path("containerPort").asInt();
                    server = container;
                }
                if (containerPort.path("name").asText().equals(port)) {
                    exporter = container;
                }
            }
        }
        assertThat(server).as("postgres has a container with the port postgres").isNotNull();
        assertThat(exporter)
                .as("postgres has a container with the port %s", port)
                .isNotNull();
        assertThat(exporter.path("image").asText()).startsWith("prometheuscommunity/postgres-exporter:");
        var exporterEnv = environment(exporter);
        var serverEnv = environment(server);
        assertThat(exporterEnv.get("DATA_SOURCE_URI").path("value").asText())
                .as("the exporter reads the database of its own pod")
                .isEqualTo("localhost:" + postgresPort + "/"
                        + serverEnv.get("POSTGRES_DB").path("value").asText() + "?sslmode=disable");
        assertThat(exporterEnv.get("DATA_SOURCE_USER").path("value").asText())
                .isEqualTo(serverEnv.get("POSTGRES_USER").path("value").asText());
        assertThat(exporterEnv.get("DATA_SOURCE_PASS").path("valueFrom"))
                .as("the exporter's password is the server's")
                .isEqualTo(serverEnv.get("POSTGRES_PASSWORD").path("valueFrom"));
    }

    /** A container's environment variables by name. */
    private static Map<String, JsonNode> environment(JsonNode container) {
        var variables = new HashMap<String, JsonNode>();
        container
                .path("env")
                .forEach(variable -> variables.put(variable.path("name").asText(), variable));
        return variables;
    }

    private static List<JsonNode> objects(Path file) throws IOException {
        var objects = new ArrayList<JsonNode>();
        try (var in = Files.newBufferedReader(file)) {
            for (var document : DeploymentFilesTest.yamlParser().loadAll(in)) {
                if (document != null) {
                    objects.add(JSON.valueToTree(document));
                }
            }
        }
        return objects;
    }

    /** Where each service of both stacks listens inside the network. */
    private static Map<String, Set<Integer>> listeningPorts() throws IOException {
        var ports = new HashMap<String, Set<Integer>>();
        for (var stack : STACKS) {
            var services = DeploymentFilesTest.yaml(stack).path("services");
            services.fields().forEachRemaining(service -> {
                var definition = service.getValue();
                var image = definition.path("image").asText().replaceFirst("^\\$\\{[A-Z_]+:-(.*)}$", "$1");
                var repository = image.replaceFirst(":[^/]*$", "");
                var environment = definition.path("environment");
                Set<Integer> listens;
                if (environment.has("SERVER_PORT")) {
                    listens = Set.of(environment.path("SERVER_PORT").asInt());
                } else if (environment.has("PORT")) {
                    listens = Set.of(environment.path("PORT").asInt());
                } else if (repository.equals("traefik")) {
                    listens = traefikPorts();
                } else {
                    listens = IMAGE_PORTS.get(repository);
                }
                if (listens != null) {
                    ports.put(service.getKey(), listens);
                }
            });
        }
        return ports;
    }

    private static Set<Integer> traefikPorts() {
        try {
            var ports = new TreeSet<Integer>();
            DeploymentFilesTest.yaml(Path.of("deployment/traefik/traefik.yml"))
                    .path("entryPoints")
                    .forEach(entryPoint -> ports.add(
                            Integer.parseInt(entryPoint.path("address").asText().replaceFirst("^.*:", ""))));
            return ports;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private record Binding(int port, String protocol) {}

    /** The host side of a Compose port mapping ("80:80", "127.0.0.1:8080:8080", "5000:5000/udp"). */
    private static Binding hostBinding(String mapping) {
        var protocol = mapping.contains("/") ? mapping.substring(mapping.indexOf('/') + 1) : "tcp";
        var parts = mapping.replaceFirst("/.*$", "").split(":");
        return new Binding(Integer.parseInt(parts.length == 3 ? parts[1] : parts[0]), protocol);
    }

    private static List<String> names(JsonNode networks) {
        var names = new ArrayList<String>();
        if (networks.isArray()) {
            networks.forEach(n -> names.add(n.asText()));
        } else {
            networks.fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    private static JsonNode find(List<JsonNode> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> o.path("kind").asText().equals(kind)
                        && o.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static long bytes(String quantity) {
        var units = Map.of("Ki", 1L << 10, "Mi", 1L << 20, "Gi", 1L << 30);
        for (var unit : units.entrySet()) {
            if (quantity.endsWith(unit.getKey())) {
                return Long.parseLong(quantity.substring(0, quantity.length() - 2)) * unit.getValue();
            }
        }
        return Long.parseLong(quantity);
    }
}
