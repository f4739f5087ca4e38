package dev.colloquy.bench;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;

/**
 * What the HTTP client to the upstream costs alone (issue 20: a quarter of the service's CPU per
 * call in the profiles is the JDK's {@code java.net.http} client): one client, 16 virtual threads
 * each POSTing a streamed chat request and reading the event stream to its end, against the SSE
 * upstream of {@code bench/run-upstream-clients}. Prints one line: the client, req/s and the
 * process's CPU per call (median of the rounds after the warm-up).
 *
 * <p>Usage: {@code UpstreamClientBench jdk|jdk-direct|apache URL}
 */
public final class UpstreamClientBench {

    private static final byte[] BODY = ("{\"model\":\"bench-model\",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true},"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}")
            .getBytes(StandardCharsets.UTF_8);

    @FunctionalInterface
    private interface Call {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        var client = args[0];
        var url = args[1];
        var call = switch (client) {
            // as SseUpstream builds it: HTTP/1.1, its dependent tasks on virtual threads
            case "jdk" -> jdk(url, HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()));
            // the same, its dependent tasks run on the thread that completes them (the selector's)
            case "jdk-direct" -> jdk(url, HttpClient.newBuilder().executor(Runnable::run));
            case "apache" -> apache(url);
            default -> throw new IllegalArgumentException(client);
        };
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var calls = new AtomicLong();
        var failures = new AtomicLong();
        var stop = new AtomicBoolean();
        for (int i = 0; i < 16; i++) {
            Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    try {
                        call.run();
                        calls.incrementAndGet();
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                }
            });
        }
        Thread.sleep(Duration.ofSeconds(30)); // warm-up: the JIT settles
        var perCall = new ArrayList<Double>();
        var rates = new ArrayList<Double>();
        for (int round = 0; round < 6; round++) {
            long c0 = calls.get();
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            Thread.sleep(Duration.ofSeconds(5));
            long c1 = calls.get();
            perCall.add((os.getProcessCpuTime() - cpu0) / 1e6 / (c1 - c0));
            rates.add((c1 - c0) * 1e9 / (System.nanoTime() - t0));
        }
        stop.set(true);
        Collections.sort(perCall);
        Collections.sort(rates);
        System.out.printf(
                "| %s | %.0f | %.3f | %d |%n",
                client, rates.get(rates.size() / 2), perCall.get(perCall.size() / 2), failures.get());
        System.exit(0);
    }

    private static Call jdk(String url, HttpClient.Builder builder) {
        var client = builder.version(HttpClient.Version.HTTP_1_1).build();
        return () -> {
            var response = client.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(BODY))
                            .build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                body.transferTo(OutputStream.nullOutputStream());
            }
        };
    }

    private static Call apache(String url) {
        var connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(256)
                .setMaxConnPerRoute(256)
                .build();
        var client = HttpClients.custom()
                .setConnectionManager(connections)
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableRedirectHandling()
                .disableContentCompression()
                .build();
        return () -> {
            var post = new HttpPost(url);
            post.setEntity(new ByteArrayEntity(BODY, ContentType.APPLICATION_JSON));
            try (var response = client.executeOpen(null, post, null);
                    InputStream body = response.getEntity().getContent()) {
                body.transferTo(OutputStream.nullOutputStream());
            }
        };
    }
}
