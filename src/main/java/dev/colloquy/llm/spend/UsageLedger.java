package dev.colloquy.llm.spend;

import dev.colloquy.llm.LlmProperties;
import dev.colloquy.platform.CopyWriter;
import dev.colloquy.platform.PartitionedTable;
import dev.colloquy.web.LoadShedding;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.ArgumentPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.PreparedStatementCallback;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The usage ledger's writer: a group commit. Calls are queued, and one writer thread writes what is
 * queued into {@code llm_usage} in batches (a multi-row insert, or COPY into a temporary table for
 * large ones, ignoring ids already there, so a retried batch never bills twice); while one batch is
 * written the next one gathers, so the batches grow with the load, and when several callers waited on
 * the last batch the next one gathers for a further {@link #GATHER} before it is written. A call that
 * costs something waits (at most {@code commitWait}) until its batch has committed, so a call the
 * client saw finish is billed even when the process is killed right after; a free call (cached, local
 * model, failed) does not wait, and a batch of free calls only gathers for up to 200 ms first. It
 * stops after the web server, flushing everything still queued; a failed write is retried, never
 * dropped.
 *
 * <p>A call wakes the writer only when the writer has nothing to do, or when it is billed (or makes a
 * full batch) while the writer lingers on free calls: a blocking queue woke the writer for every free
 * call, a twentieth of an unpriced call's CPU (bench/run-gateway's profile, BENCHMARKS.md).
 *
 * <p>A waiting call parks without a timeout: a timed park of a virtual thread schedules and cancels a
 * timer task on the carrier pool's delay scheduler, which cost a tenth of a billed call's CPU
 * (bench/run-gateway's profile, BENCHMARKS.md). Instead one thread lets the calls whose wait is over go
 * every {@link #EXPIRY_PERIOD} at most, so a call waits at most {@code commitWait} and that period.
 *
 * <p>A billed call that is the only API request the replica is working on spins for its commit for
 * up to {@link #SPIN} before it parks: parked, it is woken through the virtual-thread scheduler (the
 * unpark, a carrier's wake-up, the remount), and spinning took 0.2-0.35 ms off a priced call's p50
 * at one stream (bench/run-gateway, BENCHMARKS.md, fifteenth session). With any other API request in
 * flight it parks at once, so that the core it would spin on serves them.
 */
@Component
public class UsageLedger implements SmartLifecycle {

    static final List<String> COLUMNS = List.of(
            "id",
            "user_id",
            "conversation_id",
            "model",
            "provider",
            "input_tokens",
            "output_tokens",
            "cost_usd",
            "status",
            "latency_ms",
            "created_at",
            "saved_usd",
            "cached_input_tokens",
            "cache_write_tokens",
            "reasoning_tokens");
    /**
     * The account a row is written for, or null when it was deleted while the call was queued: the
     * ledger keeps the amounts of a deleted account's calls, never its id. It also turns {@code
     * synchronous_commit} off until the transaction's end ({@code set_config(..., true)}), which saves
     * the round trip of a {@code set local} of its own.
     */
    private static final String LIVE_ACCOUNT =
            "(select u.id from users u where u.id = %s and set_config('synchronous_commit', 'off', true) is not null)";

    /** How long shutdown waits for an unreachable database before logging what it could not write. */
    private static final Duration SHUTDOWN_FLUSH = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(UsageLedger.class);
    private static final int BATCH = 1_000;

    /** How long a batch of free calls only gathers more before it is written. */
    private static final Duration LINGER = Duration.ofMillis(200);
    /**
     * How long a batch that callers wait for gathers more before it is written, when the last one had
     * several waiting: about one commit's round trips on loopback. Under load it makes the batches, and
     * so PostgreSQL's work per call, smaller (bench/run-gateway, BENCHMARKS.md); a lone call never waits
     * for it.
     */
    private static final Duration GATHER = Duration.ofNanos(300_000);

    /** How often, at most, calls whose {@code commitWait} is over are let go without their commit. */
    private static final Duration EXPIRY_PERIOD = Duration.ofMillis(100);

    /**
     * How long, at most, a lone billed call spins for its commit before it parks: about one commit's
     * round trip on loopback, so a slow database costs a spinning call this much CPU and no more.
     */
    private static final long SPIN = TimeUnit.MICROSECONDS.toNanos(200);

    /** Batches up to this size go in as one multi-row insert; larger ones through COPY. */
    private static final int SMALL_BATCH = 64;

    /** The multi-row insert of each small batch size (1 to {@link #SMALL_BATCH} rows), written once. */
    private static final List<String> INSERTS = java.util.stream.IntStream.rangeClosed(1, SMALL_BATCH)
            .mapToObj(UsageLedger::insertOf)
            .toList();

    /** How long a batch {@linkplain #writeAtOnce written at once} may wait for a lock. */
    private static final String AT_ONCE_LOCK_TIMEOUT = "10ms";

    /**
     * The same inserts, each after a {@code set_config} of the lock timeout, sent with it in one round
     * trip; the setting ends with the insert's implicit transaction. A {@code set local} there instead
     * made PostgreSQL warn (not in a transaction block) and cost a fifth of the insert's time.
     */
    private static final List<String> AT_ONCE = INSERTS.stream()
            .map(insert -> "select set_config('lock_timeout', '" + AT_ONCE_LOCK_TIMEOUT + "', true); " + insert)
            .toList();

    /**
     * A queued record, whether its caller waits for it and until when (nano time), and the promise kept
     * with true when its batch commits, or with false when the wait is over first.
     */
    private record Pending(UsageRecord usage, boolean waits, long waitsUntil, CompletableFuture<Boolean> committed) {}

    /** Records queued beyond this are written on the caller's thread. */
    private static final int CAPACITY = 100_000;

    /** The writer is writing, or gathering for a moment: a new record need not wake it. */
    private static final int BUSY = 0;
    /** The writer waits for any record. */
    private static final int IDLE = 1;
    /** The writer gathers free calls: only a billed record, or a batch's worth, wakes it. */
    private static final int LINGERING = 2;

    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Billed records queued and not yet in a batch. */
    private final AtomicInteger billedQueued = new AtomicInteger();

    private volatile int writerState = BUSY;
    /** The records callers wait for, in the order their waits end; the expiry thread drops those done. */
    private final ConcurrentLinkedQueue<Pending> waiting = new ConcurrentLinkedQueue<>();

    private final Duration commitWait;
    private final JdbcClient jdbc;
    private final JdbcTemplate template;
    private final CopyWriter copyWriter;
    private final TransactionTemplate transactions;
    private final LoadShedding requests;
    private volatile boolean running;
    private volatile boolean expiring;
    private Thread writer;
    private Thread expiry;

    UsageLedger(
            JdbcClient jdbc,
            JdbcTemplate template,
            CopyWriter copyWriter,
            TransactionTemplate transactions,
            LoadShedding requests,
            LlmProperties properties) {
        this.commitWait = properties.ledgerCommitWait();
        this.jdbc = jdbc;
        this.template = template;
        this.copyWriter = copyWriter;
        this.transactions = transactions;
        this.requests = requests;
    }

    @Bean
    static PartitionedTable usagePartitions() {
        return new PartitionedTable("llm_usage");
    }

    /**
     * Records a call. One that costs something returns once it is committed, or after {@code
     * commitWait} when the database is slow or gone (it stays queued and is retried).
     */
    public void record(UsageRecord usage) {
        // 0 turns the wait off: faster calls, but a replica killed outright loses the last moment's usage
        boolean billed = usage.costUsd().signum() > 0 && commitWait.isPositive();
        var pending = new Pending(
                usage, billed, billed ? System.nanoTime() + commitWait.toNanos() : 0, new CompletableFuture<>());
        if (billed) {
            waiting.add(pending);
        }
        int size = queued.incrementAndGet();
        if (size > CAPACITY) {
            queued.decrementAndGet();
            log.warn("Usage queue full: writing one record on the request path");
            write(List.of(pending));
            return;
        }
        queue.add(pending);
        if (billed) {
            billedQueued.incrementAndGet();
        }
        // read after the record is in: the writer sets its state before it looks at the queue
        int state = writerState;
        if (state == IDLE || state == LINGERING && (billed || size >= BATCH)) {
            LockSupport.unpark(writer);
        }
        if (billed) {
            if (requests.inFlight() <= 1) {
                spinFor(pending.committed());
            }
            try {
                if (!pending.committed().get()) {
                    log.warn("Usage record {} not committed within {}: it stays queued", usage.id(), commitWait);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                throw new IllegalStateException("never completed exceptionally", e);
            }
        }
    }

    /** Spins until the record commits or {@link #SPIN} has passed. */
    private static void spinFor(CompletableFuture<Boolean> committed) {
        long until = System.nanoTime() + SPIN;
        while (!committed.isDone() && until - System.nanoTime() > 0) {
            Thread.onSpinWait();
        }
    }

    @Override
    public void start() {
        running = true;
        expiring = true;
        writer = Thread.ofPlatform().name("usage-ledger").daemon().start(this::drainLoop);
        expiry = Thread.ofPlatform().name("usage-ledger-expiry").daemon().start(this::expiryLoop);
    }

    @Override
    public void stop() {
        running = false;
        interruptAndJoin(writer);
        flushWithin(SHUTDOWN_FLUSH);
        expiring = false;
        interruptAndJoin(expiry);
        // nothing is written any more: whoever still waits is let go (what was not written was logged)
        for (Pending pending; (pending = waiting.poll()) != null; ) {
            pending.committed().complete(false);
        }
    }

    private static void interruptAndJoin(Thread thread) {
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the web server has stopped (it stops in a higher phase), so the last calls are recorded. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    /** Writes everything queued now; for tests. */
    void flush() {
        flushWithin(Duration.ofDays(1));
    }

    /**
     * Writes everything queued, retrying for at most this long; what still cannot be written (the
     * database is gone at shutdown) is logged record by record, so it can be replayed, not lost silently.
     */
    private void flushWithin(Duration budget) {
        long deadline = System.nanoTime() + budget.toNanos();
        var batch = new ArrayList<Pending>();
        while (drain(batch, BATCH) > 0) {
            if (!writeWithRetry(batch, deadline)) {
                batch.forEach(pending -> log.error("Usage record not written: {}", pending.usage()));
                while (drain(batch, BATCH) > 0) {
                    batch.forEach(pending -> log.error("Usage record not written: {}", pending.usage()));
                }
                return;
            }
            batch.clear();
        }
    }

    private void drainLoop() {
        var batch = new ArrayList<Pending>(BATCH);
        // how many callers waited on the last batch that had any: more than one means billed calls
        // arrive while a batch commits, and then the next batch gathers a moment before it is written
        int lastWaiting = 0;
        while (running) {
            drain(batch, BATCH);
            boolean stopped;
            if (batch.isEmpty()) {
                writerState = IDLE;
                stopped = queue.isEmpty() && !pause(Duration.ofSeconds(1).toNanos());
                writerState = BUSY;
                if (stopped) {
                    return;
                }
                continue;
            }
            if (batch.size() < BATCH && batch.stream().noneMatch(Pending::waits)) {
                // nobody waits for these: gather more, so free calls cost few transactions
                stopped = !linger();
            } else {
                stopped = lastWaiting > 1 && !pause(GATHER.toNanos());
            }
            if (stopped) {
                requeue(batch);
                return;
            }
            drain(batch, BATCH - batch.size());
            int waiting = (int) batch.stream().filter(Pending::waits).count();
            lastWaiting = waiting > 0 ? waiting : lastWaiting;
            writeWithRetry(batch, System.nanoTime() + Duration.ofDays(365).toNanos());
            batch.clear();
        }
    }

    /** Waits {@link #LINGER}, or until a billed record or a batch's worth is queued; false when stopped. */
    private boolean linger() {
        long until = System.nanoTime() + LINGER.toNanos();
        writerState = LINGERING;
        try {
            while (billedQueued.get() == 0 && queued.get() < BATCH) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                if (!pause(left)) {
                    return false;
                }
            }
            return true;
        } finally {
            writerState = BUSY;
        }
    }

    /** Parks the writer; false when it was interrupted, which is how {@link #stop()} ends it. */
    private static boolean pause(long nanos) {
        LockSupport.parkNanos(nanos);
        return !Thread.interrupted();
    }

    /** Takes up to {@code max} queued records into the batch; how many it took. */
    private int drain(List<Pending> batch, int max) {
        int taken = 0;
        for (Pending next; taken < max && (next = queue.poll()) != null; taken++) {
            batch.add(next);
            queued.decrementAndGet();
            if (next.waits()) {
                billedQueued.decrementAndGet();
            }
        }
        return taken;
    }

    /** Puts a batch back for the final flush. */
    private void requeue(List<Pending> batch) {
        for (var pending : batch) {
            queued.incrementAndGet();
            if (pending.waits()) {
                billedQueued.incrementAndGet();
            }
            queue.add(pending);
        }
        batch.clear();
    }

    /**
     * Lets go, every {@link #EXPIRY_PERIOD}, the callers whose wait is over, and forgets the records
     * already committed. The waits end in the order they began, so it stops at the first one still on.
     */
    private void expiryLoop() {
        long period = Math.min(EXPIRY_PERIOD.toNanos(), Math.max(commitWait.toNanos(), 1_000_000));
        while (expiring) {
            long now = System.nanoTime();
            for (Pending head; (head = waiting.peek()) != null; waiting.poll()) {
                if (!head.committed().isDone() && head.waitsUntil() - now > 0) {
                    break;
                }
                head.committed().complete(false);
            }
            try {
                Thread.sleep(Duration.ofNanos(period));
            } catch (InterruptedException e) {
                if (!expiring) {
                    return;
                }
            }
        }
    }

    /**
     * Writes the batch, retrying with backoff until the deadline (nano time); false if it never went in.
     * A small batch first goes in {@linkplain #writeAtOnce at once}; when that fails, and for every
     * retry, it is {@linkplain #write written} in a transaction of the writer's own.
     */
    private boolean writeWithRetry(List<Pending> batch, long deadline) {
        if (batch.size() <= SMALL_BATCH && writeAtOnce(batch)) {
            return true;
        }
        long backoff = 100;
        while (true) {
            try {
                write(batch);
                return true;
            } catch (RuntimeException e) {
                if (System.nanoTime() - deadline > 0) {
                    log.error("Usage ledger write of {} records failed, giving up: {}", batch.size(), e.getMessage());
                    return false;
                }
                log.warn("Usage ledger write of {} records failed, retrying: {}", batch.size(), e.getMessage());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    write(batch);
                    return true;
                }
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    /**
     * A small batch in one round trip: the insert as its own transaction ({@code autocommit}, with
     * {@code synchronous_commit = off} as in {@link #write}), which may wait for a lock at most {@link
     * #AT_ONCE_LOCK_TIMEOUT}. PostgreSQL commits such an insert even when this process dies while it
     * runs, so a call whose client never saw it end could be billed if the process died within that
     * moment; a longer wait (a table lock, an account being deleted) fails it, and the batch then goes
     * through {@link #write}, whose commit is this process's (CrashIT). The commit's round trip was
     * 0.04-0.08 ms of a priced call's 0.6-0.7 ms at one stream (BENCHMARKS.md, twelfth session).
     *
     * @return false when it failed, and the batch is to be written again (had the insert committed
     *     before its answer was lost, the rewrite finds its ids there and ignores them)
     */
    private boolean writeAtOnce(List<Pending> batch) {
        var rows = batch.stream().map(pending -> pending.usage().row()).toList();
        var parameters = new ArgumentPreparedStatementSetter(values(rows));
        try {
            template.execute(AT_ONCE.get(rows.size() - 1), (PreparedStatementCallback<Boolean>) statement -> {
                parameters.setValues(statement);
                return statement.execute();
            });
        } catch (DataAccessException e) {
            log.debug("Usage ledger write of {} records at once failed: {}", rows.size(), e.getMessage());
            return false;
        }
        batch.forEach(pending -> pending.committed().complete(true));
        return true;
    }

    /**
     * One transaction, ignoring ids already there. It commits with {@code synchronous_commit = off}:
     * the commit returns once PostgreSQL has the records, without waiting for the disk flush, so a
     * crash of this process right after loses nothing; only a crash of PostgreSQL's machine within
     * about 0.6 s (three {@code wal_writer_delay}s) could, and then the calls are under-billed, never
     * billed twice. A small batch is two round trips: the insert (with the transaction's begin) and
     * the commit. The commit is this process's: an insert held up by a lock when the process is killed
     * is rolled back, not committed by PostgreSQL on its own, so a call whose client never saw it end
     * (and retries it) is not billed (CrashIT). Small batches come here only when {@link #writeAtOnce}
     * failed, large ones (COPY) always.
     */
    private void write(List<Pending> batch) {
        var rows = batch.stream().map(pending -> pending.usage().row()).toList();
        transactions.executeWithoutResult(status -> {
            if (rows.size() <= SMALL_BATCH) {
                insert(rows);
                return;
            }
            jdbc.sql("create temporary table llm_usage_incoming (like llm_usage) on commit drop")
                    .update();
            copyWriter.copy("llm_usage_incoming", COLUMNS, rows);
            jdbc.sql("insert into llm_usage (" + String.join(", ", COLUMNS) + ") select "
                            + String.join(
                                    ", ",
                                    COLUMNS.stream()
                                            .map(column -> column.equals("user_id")
                                                    ? LIVE_ACCOUNT.formatted("i.user_id")
                                                    : "i." + column)
                                            .toList())
                            + " from llm_usage_incoming i on conflict do nothing")
                    .update();
        });
        batch.forEach(pending -> pending.committed().complete(true));
    }

    /** A few rows as one multi-row insert: one round trip, no temporary table. */
    private void insert(List<Object[]> rows) {
        jdbc.sql(INSERTS.get(rows.size() - 1)).params(values(rows)).update();
    }

    /** The rows' values in order, as the multi-row insert's parameters. */
    private static Object[] values(List<Object[]> rows) {
        var values = new Object[rows.size() * COLUMNS.size()];
        int i = 0;
        for (var columns : rows) {
            for (var value : columns) {
                values[i++] =
                        value instanceof java.time.Instant instant ? instant.atOffset(java.time.ZoneOffset.UTC) : value;
            }
        }
        return values;
    }

    private static String insertOf(int rows) {
        var row = "("
                + String.join(
                        ", ",
                        COLUMNS.stream()
                                .map(column -> column.equals("user_id") ? LIVE_ACCOUNT.formatted("?") : "?")
                                .toList())
                + ")";
        return "insert into llm_usage (" + String.join(", ", COLUMNS) + ") values "
                + String.join(", ", java.util.Collections.nCopies(rows, row)) + " on conflict do nothing";
    }
}
