package dev.colloquy.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The reliability load test (issue 11), against one running replica on loopback. Phase 1 (after a
 * warm-up of the same mix for a third of its time, not counted): many users
 * at once, each browsing its conversations, chatting (a priced model on the test upstream), searching,
 * reading its usage and now and then uploading a document, for a fixed time: every answer's status
 * and latency per kind of request. Phase 2: a flood of clients far over the replica's in-flight limit:
 * how many were answered, how many refused with 503 and {@code Retry-After}, anything else, and the
 * replica's heap and resident memory while it lasts. Prints two tables. Bounded: both phases stop on
 * their own.
 *
 * <p>Usage: {@code LoadBench <base-url> <service-pid> <users> <seconds> <flood-clients> <flood-seconds>}
 */
public final class LoadBench {

    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();

    private final String base;
    private final Map<String, ConcurrentLinkedQueue<Long>> latencies = new ConcurrentHashMap<>();
    private final Map<String, Map<Integer, AtomicLong>> statuses = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();

    private LoadBench(String base) {
        this.base = base;
    }

    public static void main(String[] args) throws Exception {
        var bench = new LoadBench(args[0]);
        long pid = Long.parseLong(args[1]);
        int users = Integer.parseInt(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int flood = Integer.parseInt(args[4]);
        int floodSeconds = Integer.parseInt(args[5]);
        // the same mix for a third of the time first, not counted: the JIT compiles the hot paths
        // (on 2 cores its compiler threads take a large share of the CPU in the first minute)
        bench.mixed(users, Duration.ofSeconds(Math.max(10, seconds / 3)), false);
        bench.mixed(users, Duration.ofSeconds(seconds), true);
        bench.flood(pid, flood, Duration.ofSeconds(floodSeconds));
    }

    private void mixed(int users, Duration length, boolean report) throws Exception {
        var accounts = new ArrayList<String[]>();
        for (int i = 0; i < users; i++) {
            var token = register("load");
            var conversation = match(
                    ID,
                    send("setup", post("/api/conversations", token, "{\"title\":\"load\"}"))
                            .body());
            accounts.add(new String[] {token, conversation});
        }
        latencies.clear();
        statuses.clear();
        long deadline = System.nanoTime() + length.toNanos();
        long started = System.nanoTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (var account : accounts) {
                pool.submit(() -> {
                    var random = ThreadLocalRandom.current();
                    while (System.nanoTime() < deadline) {
                        int pick = random.nextInt(100);
                        var token = account[0];
                        var conversation = account[1];
                        if (pick < 35) {
                            send("browse: list conversations", get("/api/conversations?limit=20", token));
                        } else if (pick < 55) {
                            send(
                                    "browse: read messages",
                                    get("/api/conversations/" + conversation + "/messages?limit=50", token));
                        } else if (pick < 80) {
                            send(
                                    "chat: one turn (model)",
                                    post(
                                            "/api/conversations/" + conversation + "/messages",
                                            token,
                                            "{\"content\":\"question " + random.nextInt(1_000_000)
                                                    + " about the runbook\"}"));
                        } else if (pick < 90) {
                            send("search messages", get("/api/search?q=runbook", token));
                        } else if (pick < 98) {
                            send("usage", get("/api/usage", token));
                        } else {
                            send("upload a document", upload(token));
                        }
                        pause(random.nextInt(50, 150));
                    }
                    return null;
                });
            }
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        if (!report) {
            return;
        }
        System.out.printf(
                "Phase 1: %d users for %d s (think time 50-150 ms), %.0f requests/s%n%n",
                users, length.toSeconds(), total() / elapsed);
        System.out.println("| request | count | errors | p50 ms | p99 ms | max ms | statuses |");
        System.out.println("|---|---:|---:|---:|---:|---:|---|");
        for (var entry : new TreeMap<>(latencies).entrySet()) {
            var sorted = entry.getValue().stream()
                    .mapToLong(Long::longValue)
                    .sorted()
                    .toArray();
            var byStatus = new TreeMap<Integer, Long>();
            statuses.get(entry.getKey()).forEach((status, count) -> byStatus.put(status, count.get()));
            long errors = byStatus.entrySet().stream()
                    .filter(e -> e.getKey() >= 400 || e.getKey() == 0)
                    .mapToLong(Map.Entry::getValue)
                    .sum();
            System.out.printf(
                    "| %s | %d | %d | %.1f | %.1f | %.1f | %s |%n",
                    entry.getKey(),
                    sorted.length,
                    errors,
                    percentile(sorted, 0.50),
                    percentile(sorted, 0.99),
                    sorted[sorted.length - 1] / 1e6,
                    byStatus);
        }
        System.out.println();
    }

    private void flood(long pid, int clients, Duration length) throws Exception {
        var token = register("flood");
        var answered = new ConcurrentLinkedQueue<Long>();
        var refused = new AtomicLong();
        var refusedWithoutRetryAfter = new AtomicLong();
        var other = new ConcurrentHashMap<Integer, AtomicLong>();
        var maxHeap = new AtomicLong();
        var maxRss = new AtomicLong();
        long deadline = System.nanoTime() + length.toNanos();
        var sampler = Thread.ofVirtual().start(() -> {
            while (System.nanoTime() < deadline) {
                maxRss.accumulateAndGet(rssBytes(pid), Math::max);
                pause(250);
            }
        });
        long started = System.nanoTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        long begun = System.nanoTime();
                        try {
                            var response = HTTP.send(
                                    get("/api/conversations?limit=20", token), HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() == 200) {
                                answered.add(System.nanoTime() - begun);
                            } else if (response.statusCode() == 503) {
                                refused.incrementAndGet();
                                if (response.headers().firstValue("Retry-After").isEmpty()) {
                                    refusedWithoutRetryAfter.incrementAndGet();
                                }
                                pause(ThreadLocalRandom.current().nextInt(100, 300));
                            } else {
                                other.computeIfAbsent(response.statusCode(), s -> new AtomicLong())
                                        .incrementAndGet();
                            }
                        } catch (IOException e) {
                            other.computeIfAbsent(0, s -> new AtomicLong()).incrementAndGet();
                        } catch (InterruptedException e) {
                            return null;
                        }
                    }
                    return null;
                });
            }
            Thread.sleep(length.toMillis() / 2);
            maxHeap.set(heapBytes());
        }
        sampler.join();
        double elapsed = (System.nanoTime() - started) / 1e9;
        var sorted = answered.stream().mapToLong(Long::longValue).sorted().toArray();
        var ready = HTTP.send(
                HttpRequest.newBuilder(URI.create(base + "/actuator/health/readiness"))
                        .build(),
                HttpResponse.BodyHandlers.discarding());
        System.out.printf("Phase 2: %d clients at once, no think time, for %d s%n%n", clients, length.toSeconds());
        System.out.println(
                "| answered 200 | per s | p50 ms | p99 ms | refused 503 | of them without Retry-After | other (0 = connection error) | heap used mid-flood | RSS max | ready after |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---|---:|---:|---|");
        var otherCounts = new TreeMap<Integer, Long>();
        other.forEach((status, count) -> otherCounts.put(status, count.get()));
        System.out.printf(
                "| %d | %.0f | %.1f | %.1f | %d | %d | %s | %d MB | %d MB | %s |%n",
                sorted.length,
                sorted.length / elapsed,
                percentile(sorted, 0.50),
                percentile(sorted, 0.99),
                refused.get(),
                refusedWithoutRetryAfter.get(),
                otherCounts,
                maxHeap.get() >> 20,
                maxRss.get() >> 20,
                ready.statusCode() == 200 ? "yes" : "no (" + ready.statusCode() + ")");
    }

    /** A new account; its session token. */
    private String register(String kind) {
        var body = "{\"email\":\"" + kind + "-" + UUID.randomUUID()
                + "@colloquy.test\",\"password\":\"correct horse battery\",\"displayName\":\"" + kind + "\"}";
        return match(
                TOKEN, send("register", post("/api/auth/register", null, body)).body());
    }

    private long total() {
        return latencies.values().stream()
                .mapToLong(ConcurrentLinkedQueue::size)
                .sum();
    }

    /** Sends and records; null when the connection failed (recorded as status 0). */
    private HttpResponse<String> send(String kind, HttpRequest request) {
        long started = System.nanoTime();
        int status;
        HttpResponse<String> response = null;
        try {
            response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            status = response.statusCode();
        } catch (IOException e) {
            status = 0;
            failures.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        latencies.computeIfAbsent(kind, k -> new ConcurrentLinkedQueue<>()).add(System.nanoTime() - started);
        statuses.computeIfAbsent(kind, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(status, s -> new AtomicLong())
                .incrementAndGet();
        return response;
    }

    private HttpRequest get(String path, String token) {
        return HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .GET()
                .build();
    }

    private HttpRequest post(String path, String token, String json) {
        var builder = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder.build();
    }

    private HttpRequest upload(String token) {
        var boundary = "load" + UUID.randomUUID().toString().replace("-", "");
        var text = "# Runbook " + UUID.randomUUID() + "\n\n"
                + "Restart the service, then check the dashboards. ".repeat(40);
        var body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"runbook.md\"\r\n"
                + "Content-Type: text/markdown\r\n\r\n" + text + "\r\n--" + boundary + "--\r\n";
        return HttpRequest.newBuilder(URI.create(base + "/api/documents"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
    }

    private long heapBytes() {
        try {
            var metrics = HTTP.send(
                            HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            return (long) metrics.lines()
                    .filter(line -> line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\""))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                    .sum();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private static long rssBytes(long pid) {
        try {
            for (var line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException gone) {
            return 0;
        }
        return 0;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    private static String match(Pattern pattern, String body) {
        var m = pattern.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("unexpected answer: " + body);
        }
        return m.group(1);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
