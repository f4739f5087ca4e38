package dev.colloquy.conversation;

import dev.colloquy.ColloquyApplication;
import dev.colloquy.platform.KeysetPosition;
import dev.colloquy.platform.Uuid7;
import dev.colloquy.user.UserAccounts;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Database figures of DESIGN.md section 7, on Colloquy's own repositories and SQL:
 *
 * <ol>
 *   <li>a keyset page at depth 1,000,000 messages against the same page read with OFFSET;
 *   <li>inserting 1,000 messages with COPY, with a rewritten JDBC batch, and row by row.
 * </ol>
 *
 * The two sides of each comparison run alternately in the same run. Prints a Markdown table.
 * Arguments: {@code jdbc:postgresql://host:port/} of a server where user postgres may create a
 * database (a scratch database is created and dropped), and the depth (default 1000000).
 */
public final class DatabaseBench {

    public static void main(String[] args) throws Exception {
        var server = args.length > 0 ? args[0] : "jdbc:postgresql://127.0.0.1:5432/";
        int depth = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        var database = "colloquy_bench_" + UUID.randomUUID().toString().substring(0, 8);
        admin(server, "create database " + database);
        try (var context = new SpringApplicationBuilder(ColloquyApplication.class)
                // the whole service, as deployed (its web filters need the servlet context), on a free
                // loopback port nobody calls: the bench drives its repositories directly
                .web(WebApplicationType.SERVLET)
                .properties(
                        "server.port=0",
                        "server.address=127.0.0.1",
                        "spring.datasource.url=" + server + database,
                        "spring.datasource.username=postgres",
                        "logging.level.root=warn",
                        "colloquy.cursors.secret=benchmark-cursor-secret-0123456789abcdef",
                        "colloquy.database.slow-query-threshold=1h")
                .run()) {
            var bench = new DatabaseBench(
                    context.getBean(UserAccounts.class),
                    context.getBean(ConversationManagement.class),
                    context.getBean(Conversations.class),
                    context.getBean(Messages.class),
                    context.getBean(JdbcClient.class),
                    context.getBean(JdbcTemplate.class),
                    context.getBean(TransactionTemplate.class));
            System.out.println("| benchmark | p50 ms | p99 ms | runs | ratio (p50) |");
            System.out.println("|---|---:|---:|---:|---:|");
            bench.keysetVersusOffset(depth);
            bench.inserts();
        } finally {
            admin(server, "drop database if exists " + database + " with (force)");
        }
    }

    private final ConversationManagement management;
    private final Conversations conversations;
    private final Messages messages;
    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final TransactionTemplate transactions;
    private final UUID userId;

    private DatabaseBench(
            UserAccounts accounts,
            ConversationManagement management,
            Conversations conversations,
            Messages messages,
            JdbcClient jdbc,
            JdbcTemplate jdbcTemplate,
            TransactionTemplate transactions) {
        this.management = management;
        this.conversations = conversations;
        this.messages = messages;
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.transactions = transactions;
        this.userId = accounts.register("bench-" + UUID.randomUUID() + "@colloquy.test", "benchmark password", "Bench")
                .id();
    }

    void keysetVersusOffset(int depth) {
        var deep = management.start(userId, "deep", null, null);
        var other = management.start(userId, "other", null, null);
        long started = System.nanoTime();
        int total = depth + 100;
        for (int written = 0; written < total; written += ConversationManagement.MAX_IMPORT) {
            management.importMessages(
                    userId, deep.id(), batch(Math.min(ConversationManagement.MAX_IMPORT, total - written)));
            if (written % 50_000 == 0) {
                management.importMessages(userId, other.id(), batch(ConversationManagement.MAX_IMPORT));
            }
        }
        jdbc.sql("vacuum analyze messages").update();
        System.err.printf(Locale.ROOT, "loaded %,d messages in %.1f s%n", total, (System.nanoTime() - started) / 1e9);

        var position = jdbc.sql("select created_at, id from messages where conversation_id = :id and seq = :seq")
                .param("id", deep.id())
                .param("seq", depth)
                .query((rs, row) ->
                        new KeysetPosition(rs.getTimestamp("created_at").toInstant(), rs.getObject("id", UUID.class)))
                .single();
        Supplier<List<Message>> keyset = () -> messages.page(deep.id(), position, 50);
        Supplier<List<Message>> offset = () -> jdbc.sql("""
                        select id, conversation_id, seq, coalesce(parent_seq, seq - 1) as parent_seq, role, content,
                               model, status, input_tokens, output_tokens, latency_ms, created_at, citations, images
                          from messages
                         where conversation_id = :conversationId
                         order by created_at, id
                         offset :offset limit 50
                        """)
                .param("conversationId", deep.id())
                .param("offset", depth)
                .query(Messages::message)
                .list();
        if (!keyset.get().equals(offset.get())) {
            throw new IllegalStateException("keyset and OFFSET pages differ");
        }
        for (int warmup = 0; warmup < 100; warmup++) {
            keyset.get();
        }
        offset.get();
        var keysetTimes = new ArrayList<Double>();
        var offsetTimes = new ArrayList<Double>();
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 25; i++) {
                keysetTimes.add(time(keyset));
            }
            offsetTimes.add(time(offset));
        }
        var label = String.format(Locale.ROOT, "%,d", depth);
        row("keyset page (50) at depth " + label, keysetTimes, null);
        row("OFFSET page (50) at depth " + label, offsetTimes, keysetTimes);
    }

    void inserts() {
        var copyTimes = new ArrayList<Double>();
        var batchTimes = new ArrayList<Double>();
        var rowTimes = new ArrayList<Double>();
        var autocommitTimes = new ArrayList<Double>();
        int rounds = 30;
        int warmups = 5;
        for (int round = 0; round < rounds + warmups; round++) {
            var rows = batch(1_000);
            var target = management.start(userId, "inserts " + round, null, null);
            var copy = time(() -> management.importMessages(userId, target.id(), rows));
            var batch = time(() -> transactions.execute(status -> batchInsert(target.id(), rows)));
            var row = time(() -> transactions.execute(status -> rowByRow(target.id(), rows)));
            if (round >= warmups) {
                copyTimes.add(copy);
                batchTimes.add(batch);
                rowTimes.add(row);
            }
            if (round >= warmups && round % 6 == 0) {
                autocommitTimes.add(time(() -> rowByRow(target.id(), rows)));
            }
            var count = conversations.find(userId, target.id()).orElseThrow().messageCount();
            var expected = round >= warmups && round % 6 == 0 ? 4_000 : 3_000;
            if (count != expected) {
                throw new IllegalStateException("expected " + expected + " messages, found " + count);
            }
        }
        row("insert 1,000 messages: COPY", copyTimes, null);
        row("insert 1,000 messages: rewritten batch, one transaction", batchTimes, copyTimes);
        row("insert 1,000 messages: row by row, one transaction", rowTimes, copyTimes);
        row("insert 1,000 messages: row by row, commit per row", autocommitTimes, copyTimes);
    }

    private int batchInsert(UUID conversationId, List<NewMessage> rows) {
        var stored = reserveAndBuild(conversationId, rows);
        var sql = "insert into messages (" + String.join(", ", Messages.COPY_COLUMNS) + ") values ("
                + String.join(", ", java.util.Collections.nCopies(Messages.COPY_COLUMNS.size(), "?")) + ")";
        var params = stored.stream().map(m -> Messages.row(userId, m, true)).toList();
        return Arrays.stream(jdbcTemplate.batchUpdate(sql, params)).sum();
    }

    private int rowByRow(UUID conversationId, List<NewMessage> rows) {
        var stored = reserveAndBuild(conversationId, rows);
        stored.forEach(message -> messages.insert(userId, message));
        return stored.size();
    }

    private List<Message> reserveAndBuild(UUID conversationId, List<NewMessage> rows) {
        var reservation =
                conversations.reserve(userId, conversationId, rows.size(), null).orElseThrow();
        var stored = new ArrayList<Message>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            var m = rows.get(i);
            stored.add(new Message(
                    Uuid7.next(),
                    conversationId,
                    reservation.firstSeq() + i,
                    i == 0 ? reservation.previousLeaf() : reservation.firstSeq() + i - 1,
                    m.role(),
                    m.content(),
                    m.model(),
                    m.status(),
                    null,
                    null,
                    null,
                    reservation.firstAt().plusNanos(i * 1_000L),
                    List.of(),
                    List.of(),
                    List.of()));
        }
        return stored;
    }

    private static List<NewMessage> batch(int size) {
        var batch = new ArrayList<NewMessage>(size);
        for (int i = 0; i < size; i++) {
            batch.add(NewMessage.fromUser("benchmark message " + i + " about keyset paging, partitions and indexes"));
        }
        return batch;
    }

    private static double time(Supplier<?> work) {
        long started = System.nanoTime();
        work.get();
        return (System.nanoTime() - started) / 1e6;
    }

    private static void row(String name, List<Double> times, List<Double> baseline) {
        var ratio = baseline == null
                ? ""
                : String.format(Locale.ROOT, "%.1fx", percentile(times, 50) / percentile(baseline, 50));
        System.out.printf(
                Locale.ROOT,
                "| %s | %.3f | %.3f | %d | %s |%n",
                name,
                percentile(times, 50),
                percentile(times, 99),
                times.size(),
                ratio);
    }

    private static double percentile(List<Double> values, int percentile) {
        var sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }

    private static void admin(String server, String sql) throws Exception {
        try (var connection = DriverManager.getConnection(server + "postgres", "postgres", "");
                var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
