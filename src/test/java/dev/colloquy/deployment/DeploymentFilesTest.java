package dev.colloquy.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The deployment kit read the way its tools read it: the Kubernetes manifests bound to the
 * Kubernetes API's own types (fabric8's models; a field the API does not have fails), the Traefik
 * files against Traefik v3's JSON schemas, the Compose file's structure, the Dockerfile against
 * hadolint-style rules, and the seed's settings in each. {@code docker-compose config -q} and
 * shellcheck run in monitoring/check, HAProxy's own check in the failover test.
 */
class DeploymentFilesTest {

    static final Path DEPLOYMENT = Path.of("deployment");
    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("Namespace", Namespace.class),
            Map.entry("ConfigMap", ConfigMap.class),
            Map.entry("Secret", Secret.class),
            Map.entry("Service", Service.class),
            Map.entry("Deployment", Deployment.class),
            Map.entry("StatefulSet", StatefulSet.class),
            Map.entry("HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("ServiceAccount", ServiceAccount.class),
            Map.entry("ClusterRole", ClusterRole.class),
            Map.entry("ClusterRoleBinding", ClusterRoleBinding.class),
            Map.entry("DaemonSet", DaemonSet.class));

    @Test
    void everyKubernetesObjectBindsToTheApiTypesWithNoUnknownField() throws Exception {
        var objects = kubernetes();
        assertThat(objects)
                .extracting(HasMetadata::getKind)
                .contains(KINDS.keySet().toArray(String[]::new));
        for (var object : objects) {
            assertThat(unknownFields(
                            object,
                            object.getKind() + " " + object.getMetadata().getName()))
                    .as("fields the Kubernetes API does not have")
                    .isEmpty();
            if (!(object instanceof Namespace
                    || object instanceof ClusterRole
                    || object instanceof ClusterRoleBinding)) {
                assertThat(object.getMetadata().getNamespace())
                        .as(object.getKind() + " " + object.getMetadata().getName())
                        .isEqualTo("colloquy");
            }
        }
        var secret = one(objects, Secret.class, "colloquy-secrets");
        assertThat(secret.getStringData().values()).allMatch(value -> value.startsWith("REPLACE_WITH_"));
        var config = one(objects, ConfigMap.class, "colloquy-config");
        var deployment = one(objects, Deployment.class, "colloquy");
        for (var env : deployment
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst()
                .getEnv()) {
            var ref = env.getValueFrom().getSecretKeyRef();
            assertThat(secret.getStringData()).as("secret key " + ref.getKey()).containsKey(ref.getKey());
        }
        assertThat(config.getData()).containsEntry("LOG_FORMAT", "json").containsKey("SPRING_DATASOURCE_URL");
    }

    @Test
    void theDeploymentRollsWithoutDowntimeAndDrainsBeforeItStops() throws Exception {
        var objects = kubernetes();
        var deployment = one(objects, Deployment.class, "colloquy");
        var spec = deployment.getSpec();
        assertThat(spec.getReplicas()).isEqualTo(3);
        assertThat(spec.getStrategy().getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString(1));
        assertThat(spec.getStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(0));
        assertThat(spec.getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(spec.getSelector().getMatchLabels());
        var pod = spec.getTemplate().getSpec();
        var container = pod.getContainers().getFirst();
        assertThat(container.getResources().getRequests())
                .containsEntry("cpu", new Quantity("500m"))
                .containsEntry("memory", new Quantity("2Gi"));
        assertThat(container.getResources().getLimits())
                .containsEntry("cpu", new Quantity("2"))
                .containsEntry("memory", new Quantity("2Gi"));
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(container.getReadinessProbe().getTimeoutSeconds()).isEqualTo(30);
        var startup = container.getStartupProbe();
        assertThat(startup.getPeriodSeconds())
                .as("the startup probe's period: a new pod is Ready no sooner than its next tick after the service")
                .isEqualTo(1);
        assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold())
                .as("seconds a start (JVM and migrations) gets before liveness counts")
                .isGreaterThanOrEqualTo(150);
        assertThat(container.getLifecycle().getPreStop().getExec().getCommand()).containsExactly("sleep", "15");
        assertThat(pod.getTerminationGracePeriodSeconds())
                .as("preStop 15 s plus the service's 30 s graceful shutdown")
                .isGreaterThanOrEqualTo(45L);
        assertThat(pod.getTopologySpreadConstraints()).isNotEmpty();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(container.getPorts().getFirst().getContainerPort()).isEqualTo(8000);

        var hpa = one(objects, HorizontalPodAutoscaler.class, "colloquy");
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("colloquy");
        assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(10);
        assertThat(hpa.getSpec().getMetrics())
                .extracting(m -> m.getResource().getName() + "="
                        + m.getResource().getTarget().getAverageUtilization())
                .containsExactlyInAnyOrder("cpu=70", "memory=80");
        assertThat(hpa.getSpec().getBehavior().getScaleUp().getStabilizationWindowSeconds())
                .isEqualTo(60);
        assertThat(hpa.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds())
                .isEqualTo(60);

        var budget = one(objects, PodDisruptionBudget.class, "colloquy");
        assertThat(budget.getSpec().getSelector().getMatchLabels())
                .isEqualTo(spec.getSelector().getMatchLabels());

        var service = one(objects, Service.class, "colloquy");
        assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(service.getSpec().getSessionAffinity()).isEqualTo("ClientIP");
        assertThat(service.getSpec().getPorts().getFirst().getPort()).isEqualTo(8000);
        assertThat(service.getSpec().getSelector()).isEqualTo(spec.getSelector().getMatchLabels());

        assertThat(claim(one(objects, StatefulSet.class, "postgres"))).isEqualTo(new Quantity("10Gi"));
        assertThat(claim(one(objects, StatefulSet.class, "redis"))).isEqualTo(new Quantity("5Gi"));
        assertThat(objects)
                .as("no log volume that nothing writes to: the service logs to stdout")
                .noneMatch(object -> object instanceof PersistentVolumeClaim);

        // the heap the JVM may take, plus an allowance for what it uses beside the heap (metaspace,
        // code cache, thread stacks, direct buffers), must stay under the HPA's memory target, or the
        // autoscaler would hold replicas up once a load has grown the heap
        var options = one(objects, ConfigMap.class, "colloquy-config").getData().get("JAVA_TOOL_OPTIONS");
        var maxPercent =
                java.util.regex.Pattern.compile("MaxRAMPercentage=(\\d+)").matcher(options);
        assertThat(maxPercent.find()).isTrue();
        long limitMi =
                Quantity.getAmountInBytes(container.getResources().getLimits().get("memory"))
                                .longValue()
                        / (1024 * 1024);
        long requestMi =
                Quantity.getAmountInBytes(container.getResources().getRequests().get("memory"))
                                .longValue()
                        / (1024 * 1024);
        long heapMi = limitMi * Long.parseLong(maxPercent.group(1)) / 100;
        assertThat(heapMi + 384)
                .as("max heap plus 384 MiB beside it, against 80%% of the memory request")
                .isLessThanOrEqualTo(requestMi * 80 / 100);
    }

    @Test
    void theTraefikFilesMatchTraefikV3sSchemasAndTheRoutingPolicy() throws Exception {
        var dynamic = yaml(DEPLOYMENT.resolve("traefik/dynamic/dynamic.yml"));
        assertThat(validate(Path.of("src/test/resources/schemas/traefik-v3-file-provider.json"), dynamic))
                .isEmpty();
        var staticSchema = Path.of("../shared/schemas/traefik-v3.json");
        var staticConfig = yaml(DEPLOYMENT.resolve("traefik/traefik.yml"));
        if (Files.exists(staticSchema)) {
            assertThat(validate(staticSchema, staticConfig)).isEmpty();
        }
        assertThat(staticConfig.at("/providers/file/directory").asText()).isEqualTo("/etc/traefik/dynamic");
        assertThat(staticConfig
                        .at("/entryPoints/web/transport/respondingTimeouts/readTimeout")
                        .asText())
                .isEqualTo("30s");

        var http = dynamic.get("http");
        for (var service : iterable(http.get("services"))) {
            var balancer = service.get("loadBalancer");
            assertThat(balancer.at("/healthCheck/path").asText()).isEqualTo("/actuator/health/readiness");
            assertThat(balancer.at("/healthCheck/interval").asText()).isEqualTo("10s");
            assertThat(balancer.get("servers"))
                    .extracting(JsonNode::toString)
                    .containsExactly(
                            "{\"url\":\"http://colloquy-1:8000\"}",
                            "{\"url\":\"http://colloquy-2:8001\"}",
                            "{\"url\":\"http://colloquy-3:8002\"}");
        }
        assertThat(http.at("/services/colloquy-ws/loadBalancer/sticky/cookie/name")
                        .asText())
                .isEqualTo("colloquy_sticky");
        assertThat(http.at("/serversTransports/standard/forwardingTimeouts/responseHeaderTimeout")
                        .asText())
                .isEqualTo("30s");
        assertThat(http.at("/middlewares/retry/retry/attempts").asInt()).isEqualTo(3);
        assertThat(http.at("/middlewares/compress/compress/excludedContentTypes")
                        .toString())
                .contains("text/event-stream");
        assertThat(http.at("/middlewares/rate-limit/rateLimit/average").asInt()).isPositive();

        var routers = http.get("routers");
        var unkeyed = routers.get("writes-unkeyed");
        assertThat(unkeyed.get("rule").asText()).contains("!HeaderRegexp(`Idempotency-Key`");
        assertThat(unkeyed.get("middlewares").toString()).doesNotContain("retry");
        for (var name : List.of("api", "model-calls", "ui")) {
            assertThat(routers.get(name).get("middlewares").toString()).as(name).contains("retry");
            assertThat(routers.get(name).get("priority").asInt())
                    .as(name + " ranks below the unkeyed writes")
                    .isLessThan(unkeyed.get("priority").asInt());
        }
        for (var route : List.of("/api/", "/v1/", "/ws/")) {
            assertThat(routers.toString()).contains("PathPrefix(`" + route + "`)");
        }
    }

    @Test
    void theComposeStackRunsThreeLimitedReplicasThatStartOnHealth() throws Exception {
        var compose = yaml(DEPLOYMENT.resolve("docker-compose.ha.yml"));
        assertThat(compose.get("version").asText()).isEqualTo("3.8");
        var services = compose.get("services");
        var ports = new ArrayList<String>();
        for (var name : List.of("colloquy-1", "colloquy-2", "colloquy-3")) {
            var replica = services.get(name);
            assertThat(replica.at("/deploy/resources/limits/cpus").asText())
                    .as(name)
                    .isEqualTo("2");
            assertThat(replica.at("/deploy/resources/limits/memory").asText())
                    .as(name)
                    .isEqualTo("2G");
            assertThat(replica.get("restart").asText()).as(name).isEqualTo("unless-stopped");
            assertThat(replica.at("/depends_on/postgres/condition").asText()).isEqualTo("service_healthy");
            assertThat(replica.at("/depends_on/redis/condition").asText()).isEqualTo("service_healthy");
            assertThat(replica.at("/environment/LOG_FORMAT").asText()).isEqualTo("json");
            assertThat(replica.at("/healthcheck/test").toString()).contains("/actuator/health/readiness");
            ports.add(replica.at("/environment/SERVER_PORT").asText());
        }
        assertThat(ports).containsExactly("8000", "8001", "8002");
        for (var name : List.of("postgres", "redis", "traefik")) {
            assertThat(services.get(name).get("healthcheck")).as(name).isNotNull();
        }
        assertThat(services.at("/traefik/depends_on/colloquy-1/condition").asText())
                .isEqualTo("service_healthy");
        assertThat(compose.get("volumes").has("postgres-data")).isTrue();
        assertThat(compose.get("volumes").has("redis-data")).isTrue();
    }

    /**
     * The Sentinel option on top of the HA stack: a quorum the three sentinels can reach with one of
     * them down, every replica finding the master through all of them, and the names (not container
     * addresses) that survive a restart. The failover itself was run on loopback with these lines.
     */
    @Test
    void theSentinelOptionGivesEveryReplicaThreeSentinelsWithAReachableQuorum() throws Exception {
        var ha = yaml(DEPLOYMENT.resolve("docker-compose.ha.yml")).get("services");
        var sentinel = yaml(DEPLOYMENT.resolve("docker-compose.sentinel.yml"));
        var services = sentinel.get("services");
        var sentinels = new ArrayList<String>();
        services.fieldNames().forEachRemaining(name -> {
            if (name.startsWith("sentinel-")) {
                sentinels.add(name);
            }
        });
        assertThat(sentinels).hasSize(3);
        for (var name : sentinels) {
            var service = services.get(name);
            var script = service.at("/command/2").asText();
            assertThat(script)
                    .as(name)
                    .contains("protected-mode no", "sentinel resolve-hostnames yes", "sentinel announce-hostnames yes")
                    .contains("sentinel announce-ip $$SENTINEL_NAME")
                    .contains("[ -f /data/sentinel.conf ] ||");
            var quorum =
                    Integer.parseInt(script.replaceAll("(?s).*sentinel monitor colloquy redis 6379 (\\d+).*", "$1"));
            assertThat(quorum).as("a majority that survives one sentinel down").isEqualTo(sentinels.size() / 2 + 1);
            assertThat(service.at("/environment/SENTINEL_NAME").asText()).isEqualTo(name);
            assertThat(service.at("/volumes/0").asText()).isEqualTo(name + "-data:/data");
            assertThat(sentinel.get("volumes").has(name + "-data")).as(name).isTrue();
        }
        var nodes =
                String.join(",", sentinels.stream().map(name -> name + ":26379").toList());
        ha.fieldNames().forEachRemaining(name -> {
            if (name.startsWith("colloquy-")) {
                var replica = services.get(name);
                assertThat(replica).as(name).isNotNull();
                assertThat(replica.at("/environment/SPRING_DATA_REDIS_SENTINEL_MASTER")
                                .asText())
                        .isEqualTo("colloquy");
                assertThat(replica.at("/environment/SPRING_DATA_REDIS_SENTINEL_NODES")
                                .asText())
                        .isEqualTo(nodes);
                for (var name2 : sentinels) {
                    assertThat(replica.at("/depends_on/" + name2 + "/condition").asText())
                            .isEqualTo("service_healthy");
                }
                assertThat(replica.at("/depends_on/postgres/condition").asText())
                        .isEqualTo("service_healthy");
            }
        });
        assertThat(services.at("/redis-replica/command").toString())
                .contains("\"--replicaof\",\"redis\",\"6379\"", "\"--replica-announce-ip\",\"redis-replica\"");
        assertThat(services.at("/redis/command").toString())
                .as("the stack's Redis as before, plus the name it announces as a replica")
                .startsWith(ha.at("/redis/command").toString().replace("]", ""))
                .contains("\"--replica-announce-ip\",\"redis\"");
    }

    /** Kubernetes' Sentinel option: every pod a Redis and a sentinel, and the replicas told about all. */
    @Test
    void theKubernetesSentinelOptionNamesEveryPodAndKeepsAQuorumWithOneDown() throws Exception {
        var objects = kubernetes();
        var set = one(objects, StatefulSet.class, "redis-sentinel");
        int pods = set.getSpec().getReplicas();
        assertThat(pods).isEqualTo(3);
        var service = one(
                objects,
                io.fabric8.kubernetes.api.model.Service.class,
                set.getSpec().getServiceName());
        assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(service.getSpec().getPublishNotReadyAddresses()).isTrue();
        var script = one(objects, ConfigMap.class, "redis-sentinel-scripts")
                .getData()
                .get("configure.sh");
        var quorum =
                Integer.parseInt(script.replaceAll("(?s).*sentinel monitor colloquy \\$master 6379 (\\d+).*", "$1"));
        assertThat(quorum).as("a majority that survives one pod down").isEqualTo(pods / 2 + 1);
        assertThat(script).contains("sentinel announce-hostnames yes", "replica-announce-ip $me", "protected-mode no");
        var containers = set.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).extracting(c -> c.getName()).containsExactly("redis", "sentinel", "redis-exporter");
        var init = set.getSpec().getTemplate().getSpec().getInitContainers().getFirst();
        assertThat(init.getEnv())
                .filteredOn(env -> env.getName().equals("REPLICAS"))
                .singleElement()
                .satisfies(env -> assertThat(env.getValue()).isEqualTo(Integer.toString(pods)));
        var nodes = java.util.stream.IntStream.range(0, pods)
                .mapToObj(
                        i -> "redis-sentinel-" + i + "." + service.getMetadata().getName() + ":26379")
                .toList();
        assertThat(one(objects, ConfigMap.class, "colloquy-redis").getData())
                .containsEntry("SPRING_DATA_REDIS_SENTINEL_MASTER", "colloquy")
                .containsEntry("SPRING_DATA_REDIS_SENTINEL_NODES", String.join(",", nodes));
        var sources = one(objects, Deployment.class, "colloquy")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst()
                .getEnvFrom();
        assertThat(sources.getLast().getConfigMapRef().getName()).isEqualTo("colloquy-redis");
        assertThat(sources.getLast().getConfigMapRef().getOptional())
                .as("the replicas start without it")
                .isTrue();
    }

    @Test
    void theDockerfileFollowsTheImageRules() throws IOException {
        var lines = Files.readAllLines(Path.of("Dockerfile")).stream()
                .map(String::strip)
                .filter(line -> !line.startsWith("#") && !line.isEmpty())
                .toList();
        var from = lines.stream().filter(line -> line.startsWith("FROM ")).toList();
        // build, the runtime base, the AOT cache's training run, the image
        assertThat(from).as("multi-stage").hasSize(4);
        assertThat(from).as("pinned base images, never :latest").noneMatch(line -> line.contains(":latest"));
        assertThat(lines).as("COPY, not ADD").noneMatch(line -> line.startsWith("ADD "));
        assertThat(lines).noneMatch(line -> line.contains("sudo "));
        var user = indexOf(lines, "USER ");
        var entrypoint = indexOf(lines, "ENTRYPOINT ");
        assertThat(user).as("a USER before the ENTRYPOINT").isPositive().isLessThan(entrypoint);
        assertThat(lines.get(user)).doesNotContain("root").doesNotEndWith(" 0");
        assertThat(lines.get(entrypoint)).as("exec form, so java gets SIGTERM").contains("[\"java\"");
        assertThat(String.join("\n", lines))
                .contains("HEALTHCHECK ", "/actuator/health/readiness")
                .contains("LOG_FORMAT=json")
                .contains("-XX:MaxRAMPercentage=")
                .contains("extract --layers --destination")
                .contains("-DskipEmbeddedPostgres")
                .contains("-XX:AOTCacheOutput=/app/colloquy.aot")
                .contains("\"-XX:AOTCache=/app/colloquy.aot\"");
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static Quantity claim(StatefulSet set) {
        return set.getSpec()
                .getVolumeClaimTemplates()
                .getFirst()
                .getSpec()
                .getResources()
                .getRequests()
                .get("storage");
    }

    private static List<HasMetadata> kubernetes() throws IOException {
        var objects = new ArrayList<HasMetadata>();
        for (var file :
                List.of("kubernetes/all-in-one.yml", "kubernetes/logging.yml", "kubernetes/redis-sentinel.yml")) {
            try (var in = Files.newBufferedReader(DEPLOYMENT.resolve(file))) {
                for (var document : yamlParser().loadAll(in)) {
                    if (document == null) {
                        continue;
                    }
                    var tree = JSON.valueToTree(document);
                    var kind = ((JsonNode) tree).get("kind").asText();
                    var type = KINDS.get(kind);
                    assertThat(type).as("a kind this test knows: " + kind).isNotNull();
                    objects.add(JSON.treeToValue((JsonNode) tree, type));
                }
            }
        }
        return objects;
    }

    private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream()
                .filter(type::isInstance)
                .map(type::cast)
                .filter(o -> o.getMetadata().getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    /** Every field fabric8 kept aside because the API type has no such field, with its path. */
    private static List<String> unknownFields(Object root, String path) throws ReflectiveOperationException {
        var found = new ArrayList<String>();
        walk(root, path, found, new IdentityHashMap<>());
        return found;
    }

    private static void walk(Object node, String path, List<String> found, Map<Object, Boolean> seen)
            throws ReflectiveOperationException {
        if (node == null || seen.put(node, true) != null) {
            return;
        }
        if (node instanceof Collection<?> list) {
            int i = 0;
            for (var item : list) {
                walk(item, path + "[" + i++ + "]", found, seen);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            for (var entry : map.entrySet()) {
                walk(entry.getValue(), path + "." + entry.getKey(), found, seen);
            }
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (InvocationTargetException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    found.add(path + ": " + extra.keySet());
                }
                continue;
            }
            walk(value, path + "." + getter.getName().substring(3), found, seen);
        }
    }

    /** YAML as the tools read it: YAML 1.1 with anchors, aliases and merge keys, as a JSON tree. */
    static JsonNode yaml(Path file) throws IOException {
        try (var in = Files.newBufferedReader(file)) {
            return JSON.valueToTree(yamlParser().load(in));
        }
    }

    static Yaml yamlParser() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    private static Set<String> validate(Path schemaFile, JsonNode document) throws IOException {
        var schemaNode = new ObjectMapper().readTree(schemaFile.toFile());
        var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schemaNode);
        return schema.validate(document).stream().map(Object::toString).collect(java.util.stream.Collectors.toSet());
    }

    private static Iterable<JsonNode> iterable(JsonNode node) {
        return () -> StreamSupport.stream(node.spliterator(), false).iterator();
    }
}
