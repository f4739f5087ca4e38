package dev.colloquy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.UUID;
import redis.embedded.RedisServer;

/**
 * The real Redis the integration tests use: the server on 127.0.0.1:6379 when one answers there
 * (developer machines, CI), else an embedded Redis started for this JVM. Either way this JVM's keys
 * live under a prefix of their own, removed when the JVM exits.
 */
public final class TestRedis {

    private static volatile TestRedis instance;

    private final String url;
    private final String prefix;

    private TestRedis(String url, String prefix) {
        this.url = url;
        this.prefix = prefix;
    }

    public static TestRedis get() {
        if (instance == null) {
            synchronized (TestRedis.class) {
                if (instance == null) {
                    instance = create();
                }
            }
        }
        return instance;
    }

    /** {@code redis://host:port} */
    public String url() {
        return url;
    }

    public String prefix() {
        return prefix;
    }

    public int port() {
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }

    private static TestRedis create() {
        var prefix = "colloquy-test-" + UUID.randomUUID().toString().substring(0, 8);
        String url;
        if (localServerAnswers()) {
            url = "redis://127.0.0.1:6379";
        } else {
            url = startEmbedded();
        }
        var finalUrl = url;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> clean(finalUrl, prefix), "clean-test-redis"));
        System.out.println("Integration tests use Redis " + url + " with key prefix " + prefix);
        return new TestRedis(url, prefix);
    }

    private static boolean localServerAnswers() {
        if ("embedded".equals(System.getenv("COLLOQUY_TEST_REDIS"))) {
            return false;
        }
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 6379), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String startEmbedded() {
        try {
            int port;
            try (var probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            var server =
                    RedisServer.newRedisServer().port(port).bind("127.0.0.1").build();
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.stop();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
            return "redis://127.0.0.1:" + port;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start an embedded Redis for tests", e);
        }
    }

    private static void clean(String url, String prefix) {
        var client = RedisClient.create(url);
        try (var connection = client.connect()) {
            var commands = connection.sync();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                var page = commands.scan(
                        cursor, ScanArgs.Builder.matches(prefix + ":*").limit(1000));
                if (!page.getKeys().isEmpty()) {
                    commands.unlink(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } catch (RuntimeException ignored) {
            // an embedded server may already be gone
        } finally {
            client.shutdown();
        }
    }
}
