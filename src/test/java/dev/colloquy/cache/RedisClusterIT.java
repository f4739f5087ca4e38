package dev.colloquy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@link CrossReplicaContract} on a Redis Cluster run here on loopback ({@link LoopbackRedis}): six
 * {@code redis-server --cluster-enabled yes} (three masters, three replicas) joined by {@code
 * redis-cli --cluster create}. Every key of an entry shares a hash tag, so the scripts run on one
 * node; a pattern invalidation goes through every master.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterIT extends CrossReplicaContract {

    private static final List<Process> servers = new ArrayList<>();
    private static final List<Integer> ports = new ArrayList<>();
    private static LoopbackRedis redis;

    @BeforeAll
    static void start() throws Exception {
        redis = new LoopbackRedis("redis-cluster");
        for (int i = 0; i < 6; i++) {
            int port = LoopbackRedis.freePort();
            ports.add(port);
            var arguments = redis.plain(port);
            arguments.addAll(List.of(
                    "--cluster-enabled", "yes",
                    "--cluster-config-file",
                            redis.directory(port).resolve("nodes.conf").toString(),
                    "--cluster-node-timeout", "2000"));
            servers.add(redis.start(port, arguments));
        }
        for (int port : ports) {
            LoopbackRedis.await(port, "PONG", "ping");
        }
        var create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        ports.forEach(port -> create.add("127.0.0.1:" + port));
        create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        var created = LoopbackRedis.run(create);
        assertThat(created).as(created).contains("[OK] All 16384 slots covered");
        for (int port : ports) {
            LoopbackRedis.await(port, "cluster_state:ok", "cluster", "info");
        }
        startReplicas(
                Map.of("spring.data.redis.cluster.nodes", LoopbackRedis.nodes(ports)),
                "cluster-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @AfterAll
    static void stop() throws Exception {
        closeReplicasThen(redis);
    }

    @Test
    void theEntriesAreSpreadOverEveryMaster() throws Exception {
        for (int i = 0; i < 30; i++) {
            var account = first.api().register();
            first.api().get("/api/me", account.token());
        }
        int mastersWithKeys = 0;
        for (int port : ports) {
            var role = LoopbackRedis.cli(port, "role");
            var keys = LoopbackRedis.cli(port, "dbsize").strip();
            if (role.startsWith("master") && Long.parseLong(keys) > 0) {
                mastersWithKeys++;
            }
        }
        assertThat(mastersWithKeys).as("masters holding keys").isEqualTo(3);
    }

    /**
     * Last, as it leaves the cluster with one node fewer: one master killed (SIGKILL, by its process)
     * under load ({@link #failoverUnderLoad}); its replica is promoted within the node timeout (2 s).
     */
    @Test
    @Order(Integer.MAX_VALUE)
    void aMasterKilledUnderLoadCostsNoRequestAndTheCacheServesAgainAfterFailover() throws Exception {
        int victim = -1;
        for (int i = 0; i < ports.size() && victim < 0; i++) {
            if (LoopbackRedis.cli(ports.get(i), "role").startsWith("master")) {
                victim = i;
            }
        }
        var dead = servers.get(victim);
        int survivor = ports.get((victim + 1) % ports.size());
        failoverUnderLoad(
                "cluster",
                "Cluster on loopback: three masters, three replicas (node timeout 2 s)",
                () -> {
                    dead.destroyForcibly();
                    return true;
                },
                "the dead master marked failed and cluster_state:ok",
                // the dead master known as failed and every slot served again (before the failure is
                // detected the state is still ok, and fail until a replica is promoted)
                () -> LoopbackRedis.cli(survivor, "cluster", "nodes").contains("master,fail ")
                        && LoopbackRedis.cli(survivor, "cluster", "info").contains("cluster_state:ok"));
    }
}
