package dev.colloquy.bench;

import dev.colloquy.Latency;
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
 * replica's heap and resident memory while it lasts. Phase 1 also reads the service's side: its
 * own {@code http_server_requests} histogram (server time per route, without the client's queueing on
 * the same cores), the CPU the service process used per request, the response-cache hit rate and the
 * Redis errors and breaker refusals. Prints three tables. Bounded: both phases stop on their own.
 *
 * <p>Usage: {@code LoadBench <base-url> <service-pid> <users> <seconds> <flood-clients> <flood-seconds>
 * [think-ms [interval-s]]}: each user waits between think-ms/2 and 3*think-ms/2 between requests
 * (default 100); with an interval, phase 1 also prints a row every interval-s seconds (requests,
 * latency, heap and resident memory), to show a long run stays flat.
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
    private int thinkMillis = 100;
    private int intervalSeconds;
    private final ConcurrentLinkedQueue<Long> window = new ConcurrentLinkedQueue<>();
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
        if (args.length > 6) {
            bench.thinkMillis = Integer.parseInt(args[6]);
        }
        if (args.length > 7) {
            bench.intervalSeconds = Integer.parseInt(args[7]);
        }
        // the same mix for a third of the time first, not counted: the JIT compiles the hot paths
        // (on 2 cores its compiler threads take a large share of the CPU in the first minute)
        bench.mixed(pid, users, Duration.ofSeconds(Math.min(60, Math.max(10, seconds / 3))), false);
        bench.mixed(pid, users, Duration.ofSeconds(seconds), true);
        bench.flood(pid, flood, Duration.ofSeconds(floodSeconds));
    }

    private void mixed(long pid, int users, Duration length, boolean report) throws Exception {
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
        window.clear();
        var metricsBefore = metrics();
        long cpuBefore = cpuTicks(pid);
        long deadline = System.nanoTime() + length.toNanos();
        long started = System.nanoTime();
        var intervals = report && intervalSeconds > 0 ? Thread.ofVirtual().start(() -> intervals(pid, deadline)) : null;
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (var account : accounts) {
                pool.submit(() -> {
                    var random = ThreadLocalRandom.current();
                    // users arrive spread over one think time, not all in the same millisecond: 150
                    // first requests at once queue behind each other for most of a second
                    pause(random.nextInt(thinkMillis * 3 / 2 + 1));
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
                        pause(random.nextInt(thinkMillis / 2, thinkMillis * 3 / 2 + 1));
                    }
                    return null;
                });
            }
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        if (intervals != null) {
            intervals.join();
        }
        long cpuTicks = cpuTicks(pid) - cpuBefore;
        var metricsAfter = metrics();
        if (!report) {
            return;
        }
        System.out.printf(
                "Phase 1: %d users for %d s (think time %d-%d ms), %.0f requests/s%n%n",
                users, length.toSeconds(), thinkMillis / 2, thinkMillis * 3 / 2, total() / elapsed);
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
                    Latency.millisAt(sorted, 0.50),
                    Latency.millisAt(sorted, 0.99),
                    sorted[sorted.length - 1] / 1e6,
                    byStatus);
        }
        System.out.println();
        serverSide(metricsBefore, metricsAfter, cpuTicks / 100.0, elapsed);
    }

    /** A row every interval until the deadline: what this interval's requests saw, and memory. */
    private void intervals(long pid, long deadline) {
        System.out.println("| minute | requests | p50 ms | p99 ms | heap used | RSS |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        long start = System.nanoTime();
        while (System.nanoTime() + intervalSeconds * 1_000_000_000L <= deadline + 1_000_000_000L) {
            pause(intervalSeconds * 1000L);
            var sorted = new ArrayList<Long>();
            for (Long next; (next = window.poll()) != null; ) {
                sorted.add(next);
            }
            var latency = sorted.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(
                    "| %.1f | %d | %.1f | %.1f | %d MB | %d MB |%n",
                    (System.nanoTime() - start) / 60e9,
                    latency.length,
                    Latency.millisAt(latency, 0.50),
                    Latency.millisAt(latency, 0.99),
                    heapBytes() >> 20,
                    rssBytes(pid) >> 20);
        }
        System.out.println();
    }

    /**
     * The service's view of phase 1: server time per route from its {@code http_server_requests}
     * histogram (interpolated within buckets, as Prometheus' {@code histogram_quantile} does), its
     * CPU per request, the response-cache hit rate and Redis trouble.
     */
    private void serverSide(Map<String, Double> before, Map<String, Double> after, double cpuSeconds, double elapsed) {
        var buckets = new TreeMap<String, TreeMap<Double, Double>>();
        double hits = 0;
        double misses = 0;
        double redisErrors = 0;
        for (var entry : after.entrySet()) {
            var series = entry.getKey();
            double delta = entry.getValue() - before.getOrDefault(series, 0.0);
            if (series.startsWith("http_server_requests_seconds_bucket{")) {
                var route = label(series, "method") + " " + label(series, "uri");
                double le = Double.parseDouble(label(series, "le").replace("+Inf", "Infinity"));
                buckets.computeIfAbsent(route, r -> new TreeMap<>()).merge(le, delta, Double::sum);
            } else if (series.startsWith("redis_cache_hits_total{")) {
                hits += delta;
            } else if (series.startsWith("redis_cache_misses_total{") && series.contains("tier=\"l2\"")) {
                misses += delta;
            } else if (series.startsWith("redis_cache_errors_total{")) {
                redisErrors += delta;
            }
        }
        long requests = Math.round(total());
        System.out.printf(
                "Service side of phase 1: CPU %.0f%% of one core (%.1f ms of CPU per request); cache lookups"
                        + " answered by a tier %.1f%%; Redis errors and breaker refusals %d%n%n",
                100 * cpuSeconds / elapsed,
                1000 * cpuSeconds / requests,
                hits + misses == 0 ? 0 : 100 * hits / (hits + misses),
                Math.round(redisErrors));
        System.out.println("| server time per route | requests | p50 ms | p99 ms |");
        System.out.println("|---|---:|---:|---:|");
        buckets.forEach((route, cumulative) -> {
            double count = cumulative.lastEntry().getValue();
            if (count < 1 || route.contains("/actuator")) {
                return;
            }
            System.out.printf(
                    "| %s | %d | %.2f | %.2f |%n",
                    route, Math.round(count), quantile(cumulative, 0.50), quantile(cumulative, 0.99));
        });
        System.out.println();
        var spent = new TreeMap<Double, String>(java.util.Comparator.reverseOrder());
        for (var entry : after.entrySet()) {
            var series = entry.getKey();
            if (!series.contains("_seconds_sum")
                    || series.startsWith("http_server_requests")
                    || series.startsWith("spring_security")) {
                continue;
            }
            double seconds = entry.getValue() - before.getOrDefault(series, 0.0);
            var countSeries = series.replace("_seconds_sum", "_seconds_count");
            double count = after.getOrDefault(countSeries, 0.0) - before.getOrDefault(countSeries, 0.0);
            if (seconds > 0 && count > 0) {
                spent.put(
                        seconds,
                        "| `%s` | %d | %.1f | %.2f |"
                                .formatted(series, Math.round(count), seconds, 1000 * seconds / count));
            }
        }
        System.out.println(
                "| where the service's time went (timers, summed over concurrent requests) | calls | seconds | mean ms |");
        System.out.println("|---|---:|---:|---:|");
        spent.values().stream().limit(15).forEach(System.out::println);
        System.out.println();
    }

    /** Milliseconds at quantile q of a cumulative histogram (upper bound in seconds to count). */
    private static double quantile(TreeMap<Double, Double> cumulative, double q) {
        double rank = q * cumulative.lastEntry().getValue();
        double lower = 0;
        double below = 0;
        for (var bucket : cumulative.entrySet()) {
            if (bucket.getValue() >= rank) {
                if (bucket.getKey().isInfinite()) {
                    return lower * 1000;
                }
                double inBucket = bucket.getValue() - below;
                double share = inBucket == 0 ? 1 : (rank - below) / inBucket;
                return (lower + (bucket.getKey() - lower) * share) * 1000;
            }
            lower = bucket.getKey();
            below = bucket.getValue();
        }
        return lower * 1000;
    }

    private static String label(String series, String name) {
        int start = series.indexOf(name + "=\"");
        if (start < 0) {
            return "";
        }
        start += name.length() + 2;
        return series.substring(start, series.indexOf('"', start));
    }

    /** Every sample the service exposes, by series (name and labels). */
    private Map<String, Double> metrics() {
        var values = new TreeMap<String, Double>();
        try {
            var body = HTTP.send(
                            HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            body.lines()
                    .filter(line -> !line.startsWith("#") && !line.isBlank())
                    .forEach(line -> {
                        int space = line.lastIndexOf(' ');
                        values.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
                    });
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the service's metrics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the service's metrics", e);
        }
        return values;
    }

    /** User plus system CPU of a process in clock ticks (100 per second on Linux). */
    private static long cpuTicks(long pid) {
        try {
            var stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException gone) {
            return 0;
        }
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
                Latency.millisAt(sorted, 0.50),
                Latency.millisAt(sorted, 0.99),
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
        long took = System.nanoTime() - started;
        latencies.computeIfAbsent(kind, k -> new ConcurrentLinkedQueue<>()).add(took);
        if (intervalSeconds > 0) {
            window.add(took);
        }
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
            return (long) metrics().entrySet().stream()
                    .filter(sample -> sample.getKey().startsWith("jvm_memory_used_bytes{")
                            && sample.getKey().contains("area=\"heap\""))
                    .mapToDouble(Map.Entry::getValue)
                    .sum();
        } catch (IllegalStateException unreachable) {
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
