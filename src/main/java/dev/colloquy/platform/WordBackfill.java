package dev.colloquy.platform;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Fills the {@code words} column of rows written before words were broken in every script (see
 * {@link Words}), while the service runs: 500 rows a batch in id order, each batch its own short
 * transaction, resuming where the last one stopped (kept in {@code word_backfill}), one replica at a
 * time. Every start goes on from there to the end of the table, so rows an older replica wrote during
 * a rolling update are covered too. New rows get their words as they are written.
 */
@Component
public class WordBackfill {

    /** A table to fill: its name, and the SQL expression of the text its words come from. */
    public record Target(String table, String text) {}

    static final List<Target> TARGETS =
            List.of(new Target("messages", "content"), new Target("document_chunks", "heading_path || ' ' || content"));

    private static final Logger log = LoggerFactory.getLogger(WordBackfill.class);
    private static final long LOCK = 0x776f726473L;
    private static final int BATCH = 500;

    private record Row(UUID id, String text) {}

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private volatile boolean finished;

    WordBackfill(JdbcClient jdbc, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.transactions = transactions;
    }

    @Scheduled(fixedDelayString = "PT1S", initialDelayString = "PT10S")
    void step() {
        if (finished) {
            return;
        }
        try {
            boolean more = false;
            for (var target : TARGETS) {
                more |= batch(target);
            }
            finished = !more;
        } catch (RuntimeException e) {
            log.warn("Filling the words of older rows paused: {}", e.getMessage());
        }
    }

    /** Runs every batch until each table is done; for tests and operators who want it now. */
    public void runToEnd() {
        for (var target : TARGETS) {
            while (batch(target)) {
                // next batch
            }
        }
    }

    /** One batch of the table; true when there may be more. */
    boolean batch(Target target) {
        var more = transactions.execute(status -> {
            boolean locked = jdbc.sql("select pg_try_advisory_xact_lock(:lock)")
                    .param("lock", LOCK)
                    .query(Boolean.class)
                    .single();
            if (!locked) {
                return Boolean.TRUE; // another replica is at it; look again later
            }
            var after = jdbc.sql("select after_id from word_backfill where target = :target")
                    .param("target", target.table())
                    .query(UUID.class)
                    .optional()
                    .orElse(null);
            var rows = rows(target, after);
            var ids = new ArrayList<UUID>();
            var texts = new ArrayList<String>();
            for (var row : rows) {
                var words = Words.forIndex(row.text());
                if (words != null) {
                    ids.add(row.id());
                    texts.add(words);
                }
            }
            if (!ids.isEmpty()) {
                jdbc.sql("update " + target.table() + " t set words = to_tsvector('english', u.words)"
                                + " from unnest(cast(:ids as uuid[]), cast(:texts as text[])) as u(id, words)"
                                + " where t.id = u.id and t.words is null")
                        .param("ids", ids.toArray(UUID[]::new))
                        .param("texts", texts.toArray(String[]::new))
                        .update();
            }
            var reached = rows.isEmpty() ? after : rows.getLast().id();
            jdbc.sql("""
                            insert into word_backfill (target, after_id, done_at)
                            values (:target, :after, case when :done then now() end)
                            on conflict (target) do update set after_id = excluded.after_id, done_at = excluded.done_at
                            """)
                    .param("target", target.table())
                    .param("after", reached)
                    .param("done", rows.size() < BATCH)
                    .update();
            if (!ids.isEmpty()) {
                log.info("Broke into words {} older row(s) of {}", ids.size(), target.table());
            }
            return rows.size() == BATCH;
        });
        return Boolean.TRUE.equals(more);
    }

    private List<Row> rows(Target target, @Nullable UUID after) {
        return jdbc.sql("select id, " + target.text() + " as text from " + target.table()
                        + " where (cast(:after as uuid) is null or id > :after) order by id limit :limit")
                .param("after", after)
                .param("limit", BATCH)
                .query((rs, row) -> new Row(rs.getObject("id", UUID.class), rs.getString("text")))
                .list();
    }
}
