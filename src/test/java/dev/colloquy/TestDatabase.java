package dev.colloquy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/**
 * The real PostgreSQL the integration tests run on: the server on 127.0.0.1:5432 when one answers
 * there (developer machines, CI), else an embedded PostgreSQL 17. Either way this JVM gets a fresh
 * database of its own, dropped when the JVM exits.
 */
public final class TestDatabase {

    private static final String LOCAL_SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private static volatile TestDatabase instance;

    private final String url;
    private final String user;

    private TestDatabase(String url, String user) {
        this.url = url;
        this.user = user;
    }

    public static TestDatabase get() {
        if (instance == null) {
            synchronized (TestDatabase.class) {
                if (instance == null) {
                    instance = create();
                }
            }
        }
        return instance;
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    /** A new empty database of its own on the same server, for a test whose data must stay apart; its URL. */
    public String createScratch(String prefix) {
        var server = url.substring(0, url.lastIndexOf('/') + 1);
        var name = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (var connection = DriverManager.getConnection(server + "postgres", user, "");
                var statement = connection.createStatement()) {
            statement.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a scratch database on " + server, e);
        }
        return server + name;
    }

    /** Drops a database {@link #createScratch} made, with its connections. */
    public void dropScratch(String scratchUrl) {
        drop(
                scratchUrl.substring(0, scratchUrl.lastIndexOf('/') + 1),
                scratchUrl.substring(scratchUrl.lastIndexOf('/') + 1));
    }

    private static TestDatabase create() {
        var name =
                "colloquy_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String server;
        if (localServerAnswers()) {
            server = LOCAL_SERVER;
        } else {
            server = startEmbedded();
        }
        try (var connection = DriverManager.getConnection(server + "postgres", "postgres", "");
                var statement = connection.createStatement()) {
            statement.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the test database on " + server, e);
        }
        var finalServer = server;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> drop(finalServer, name), "drop-test-database"));
        System.out.println("Integration tests use database " + name + " on " + server);
        return new TestDatabase(server + name, "postgres");
    }

    private static boolean localServerAnswers() {
        if ("embedded".equals(System.getenv("COLLOQUY_TEST_POSTGRES"))) {
            return false;
        }
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", 5432), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String startEmbedded() {
        try {
            var directory = Files.createTempDirectory("colloquy-test-pg");
            var postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(true)
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    postgres.close();
                } catch (IOException ignored) {
                    // the JVM is exiting; the temporary directory goes with the machine's tmp cleaning
                }
            }));
            return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL for tests", e);
        }
    }

    private static void drop(String server, String name) {
        try (var connection = DriverManager.getConnection(server + "postgres", "postgres", "");
                var statement = connection.createStatement()) {
            statement.execute("drop database if exists " + name + " with (force)");
        } catch (SQLException ignored) {
            // an embedded server may already be gone; its data directory is temporary
        }
    }
}
