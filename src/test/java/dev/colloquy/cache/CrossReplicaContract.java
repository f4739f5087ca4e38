package dev.colloquy.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Replica;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * What two replicas sharing one Redis deployment must do together, whatever its shape (one server,
 * a Cluster): a change through one is seen through the other, a logout ends the session on both, an
 * admin's pattern invalidation removes every matching key, and the login throttle counts failures
 * from both. Subclasses start the two replicas.
 */
abstract class CrossReplicaContract {

    /** The two replicas, on one PostgreSQL and one Redis deployment: started by the subclass. */
    static Replica first;

    static Replica second;

    static Replica first() {
        return first;
    }

    static Replica second() {
        return second;
    }

    /** Closes the replicas (again: a no-op). */
    @AfterAll
    static void closeReplicas() {
        for (var replica : new Replica[] {first, second}) {
            if (replica != null) {
                replica.close();
            }
        }
        first = null;
        second = null;
    }

    /** Starts both replicas, pointed at the Redis deployment by these settings, under a key prefix of their own. */
    static void startReplicas(Map<String, String> redis, String prefix) {
        var all = new java.util.HashMap<>(redis);
        all.put("colloquy.cache.key-prefix", prefix);
        first = Replica.start(all);
        second = Replica.start(all);
    }

    /** Closes the replicas, then the Redis they used (a test's {@code @AfterAll}). */
    static void closeReplicasThen(@org.jspecify.annotations.Nullable AutoCloseable redis) throws Exception {
        closeReplicas();
        if (redis != null) {
            redis.close();
        }
    }

    /** What the other replica answered last, and how long after the change it was asked. */
    private record Seen<T>(T value, long afterMillis) {}

    /**
     * Asks the other replica until its answer is the one the change should give, or a second has
     * passed since the change (nano time {@code changed}): the tests assert the answer came, and within
     * 100 ms.
     */
    private static <T> Seen<T> askUntil(long changed, Supplier<T> ask, Predicate<T> done) {
        T value;
        long elapsedMillis;
        do {
            value = ask.get();
            elapsedMillis = (System.nanoTime() - changed) / 1_000_000;
        } while (!done.test(value) && elapsedMillis < 1_000);
        return new Seen<>(value, elapsedMillis);
    }

    @Test
    void anUpdateThroughOneReplicaReachesTheOtherWithin100Milliseconds() {
        var account = first().api().register();
        var id = first().api()
                .post("/api/conversations", account.token(), "{\"title\":\"original\"}")
                .json()
                .get("id")
                .asString();
        second().api().get("/api/conversations/" + id, account.token());
        var cached = second().api().get("/api/conversations/" + id, account.token());

        var updated = first().api().patch("/api/conversations/" + id, account.token(), "{\"title\":\"renamed\"}");
        var seen = askUntil(
                System.nanoTime(),
                () -> second().api()
                        .get("/api/conversations/" + id, account.token())
                        .json()
                        .get("title")
                        .asString(),
                "renamed"::equals);

        assertThat(cached.header("X-Cache")).isEqualTo("HIT");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(seen.value()).isEqualTo("renamed");
        assertThat(seen.afterMillis()).isLessThanOrEqualTo(100);
    }

    @Test
    void aLogoutOnOneReplicaEndsTheSessionOnTheOther() {
        var account = first().api().register();
        assertThat(second().api().get("/api/me", account.token()).status()).isEqualTo(200);

        first().api().post("/api/auth/logout", account.token(), "{}");
        var status = askUntil(
                System.nanoTime(),
                () -> second().api().get("/api/conversations", account.token()).status(),
                seen -> seen == 401);

        assertThat(status.value()).isEqualTo(401);
        assertThat(status.afterMillis()).isLessThanOrEqualTo(100);
    }

    @Test
    void aPatternInvalidationRemovesEveryMatchingKeyForBothReplicas() {
        var accounts = new ArrayList<dev.colloquy.Api.Account>();
        for (int i = 0; i < 12; i++) {
            var account = first().api().register();
            accounts.add(account);
            first().api().get("/api/me", account.token());
            second().api().get("/api/me", account.token());
        }
        var cachedOnFirst = first().api().get("/api/me", accounts.getFirst().token());
        var cachedOnSecond = second().api().get("/api/me", accounts.getLast().token());

        var invalidated = first().api()
                .post("/api/admin/cache/invalidate", first().api().admin().token(), "{\"pattern\":\"http:*\"}");
        // the second replica drops its in-process copies when the invalidation's message reaches it,
        // which may be just after the 200: like any change, within 100 ms (a HIT changes nothing, so
        // asking again until the MISS is fair; the MISS stores the answer again)
        var lastOnSecond = askUntil(
                System.nanoTime(),
                () -> second().api().get("/api/me", accounts.getLast().token()).header("X-Cache"),
                cache -> !"HIT".equals(cache));

        assertThat(cachedOnFirst.header("X-Cache")).isEqualTo("HIT");
        assertThat(cachedOnSecond.header("X-Cache")).isEqualTo("HIT");
        assertThat(invalidated.status()).as(invalidated.body()).isEqualTo(200);
        // twelve users' entries, each in Redis once (whatever node holds it) and in both replicas' memory
        assertThat(invalidated.json().get("removed").asLong()).isGreaterThanOrEqualTo(12);
        assertThat(lastOnSecond.value()).isEqualTo("MISS");
        assertThat(lastOnSecond.afterMillis()).isLessThanOrEqualTo(100);
        // half the users asked again through each replica (an answer stored again by one would be a
        // hit for the other)
        for (int i = 0; i < accounts.size() - 1; i++) {
            var replica = i < accounts.size() / 2 ? first() : second();
            assertThat(replica.api().get("/api/me", accounts.get(i).token()).header("X-Cache"))
                    .as("user %d through the %s replica", i, i < accounts.size() / 2 ? "first" : "second")
                    .isEqualTo("MISS");
        }
    }

    @Test
    void theLoginThrottleCountsFailuresThroughBothReplicas() {
        var account = first().api().register();
        var wrong = "{\"email\":\"" + account.email() + "\",\"password\":\"not the password\"}";
        var right = "{\"email\":\"" + account.email() + "\",\"password\":\"correct horse battery\"}";
        var statuses = new ArrayList<Integer>();
        for (int i = 0; i < 5; i++) {
            var replica = i % 2 == 0 ? first() : second();
            statuses.add(replica.api().post("/api/auth/login", null, wrong).status());
        }

        var throttled = second().api().post("/api/auth/login", null, right);

        assertThat(statuses).containsOnly(401);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).isNotBlank();
    }

    /** Something a failover test does to Redis, or asks of it. */
    interface RedisStep {
        boolean run() throws Exception;
    }

    /**
     * Two clients keep both replicas busy for 12 s (reads and keyed writes); after 2 s {@code kill}
     * takes a Redis master down; then {@code recovered} is asked (30 s at most) until Redis has a
     * master again. No request may fail meanwhile, and afterwards an entry one replica stores must be
     * a hit through the other (within 60 s: the replicas use Redis again).
     */
    static void failoverUnderLoad(
            String name, String deployment, RedisStep kill, String recoveredWhen, RedisStep recovered)
            throws Exception {
        var account = first.api().register();
        var failures = new ConcurrentLinkedQueue<String>();
        var requests = new AtomicInteger();
        var latencies = new ConcurrentLinkedQueue<Long>();
        long until = System.nanoTime() + Duration.ofSeconds(12).toNanos();
        var clients = new ArrayList<Thread>();
        for (var replica : List.of(first, second)) {
            clients.add(Thread.ofPlatform().start(() -> {
                int n = 0;
                while (System.nanoTime() < until) {
                    long sent = System.nanoTime();
                    var response = switch (n++ % 3) {
                        case 0 -> replica.api().get("/api/me", account.token());
                        case 1 -> replica.api().get("/api/conversations", account.token());
                        default ->
                            replica.api()
                                    .post(
                                            "/api/conversations",
                                            account.token(),
                                            "{\"title\":\"during failover\"}",
                                            Map.of(
                                                    "Idempotency-Key",
                                                    UUID.randomUUID().toString()));
                    };
                    latencies.add(System.nanoTime() - sent);
                    requests.incrementAndGet();
                    if (response.status() >= 300) {
                        failures.add(response.status() + " " + response.body());
                    }
                }
            }));
        }
        Thread.sleep(2_000);
        long killed = System.nanoTime();
        kill.run();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!recovered.run()) {
            assertThat(System.nanoTime()).as("Redis has a master again").isLessThan(deadline);
            Thread.sleep(50);
        }
        long recoveredAfter = System.nanoTime() - killed;
        for (var client : clients) {
            client.join();
        }
        report(name, deployment, requests.get(), failures.size(), latencies, recoveredAfter, recoveredWhen);
        // after the failover: a fresh user's entry is stored in Redis and found again
        var fresh = second.api().register();
        String cache = "";
        deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!cache.equals("HIT") && System.nanoTime() < deadline) {
            first.api().get("/api/me", fresh.token());
            cache = String.valueOf(second.api().get("/api/me", fresh.token()).header("X-Cache"));
            Thread.sleep(500);
        }

        assertThat(requests.get()).isGreaterThan(20);
        assertThat(failures).as("requests that failed while a master died").isEmpty();
        assertThat(cache)
                .as("an entry one replica stored is found by the other after the failover")
                .isEqualTo("HIT");
    }

    /**
     * What the failover cost the load, for BENCHMARKS.md ({@code bench/run-redis-failover} prints
     * it): {@code target/redis-failover/<name>.txt}.
     */
    private static void report(
            String name,
            String deployment,
            int requests,
            int failed,
            Collection<Long> latencies,
            long recoveredNanos,
            String recoveredWhen)
            throws IOException {
        var sorted = latencies.stream().sorted().toList();
        java.util.function.IntFunction<String> millis = permille ->
                "%.1f".formatted(sorted.get(Math.min(sorted.size() - 1, sorted.size() * permille / 1000)) / 1e6);
        var directory = Files.createDirectories(Path.of("target/redis-failover"));
        Files.writeString(directory.resolve(name + ".txt"), """
                deployment    %s
                load          two replicas of the service, a client each (GET /api/me, GET /api/conversations, \
                POST /api/conversations with an Idempotency-Key), 12 s; the master killed (SIGKILL) after 2 s
                requests      %d, %d failed
                latency       p50 %s ms, p99 %s ms, max %s ms
                master again  %d ms after the kill (%s)
                """.formatted(
                        deployment,
                        requests,
                        failed,
                        millis.apply(500),
                        millis.apply(990),
                        millis.apply(1000),
                        recoveredNanos / 1_000_000,
                        recoveredWhen));
    }
}
