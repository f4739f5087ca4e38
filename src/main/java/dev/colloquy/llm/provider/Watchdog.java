package dev.colloquy.llm.provider;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * Holds the deadlines of the upstream calls in flight: one thread looks at every call's deadline each
 * {@link #TICK} and runs the call's expiry once when it is due. Watching a call and forgetting it are
 * a set's add and remove, which never wake that thread: a scheduled executor's queue woke its thread
 * for every deadline that became its earliest (at one call at a time, every deadline), about a tenth
 * of an unpriced gateway call's CPU at one stream (BENCHMARKS.md, eleventh session's rerun). A
 * deadline fires up to one tick late. With nothing to watch for a second, the thread parks until the
 * next call is watched.
 */
final class Watchdog implements AutoCloseable {

    static final Duration TICK = Duration.ofMillis(10);
    private static final long PARK_AFTER_IDLE = Duration.ofSeconds(1).toNanos();

    /**
     * One call's deadlines (nano times): {@code due}, and once tokens flow, the longest a stream may
     * go without one. Written by the call, read by the watchdog.
     */
    static final class Watch {

        private final Runnable expiry;
        private volatile long due;
        private volatile long idleNanos;
        private volatile long lastToken;

        private Watch(Runnable expiry, long due) {
            this.expiry = expiry;
            this.due = due;
        }

        /** A new deadline for the whole call, and from now on no more than this between tokens. */
        void tokensFlow(long due, Duration idle) {
            this.lastToken = System.nanoTime();
            this.due = due;
            this.idleNanos = idle.toNanos();
        }

        /** A token came: the idle deadline starts again. */
        void token() {
            lastToken = System.nanoTime();
        }

        private boolean overdue(long now) {
            long idle = idleNanos;
            return now - due >= 0 || idle > 0 && now - lastToken >= idle;
        }
    }

    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean parked;
    private volatile boolean running = true;

    Watchdog(String name) {
        thread = Thread.ofPlatform().daemon().name(name).start(this::run);
    }

    /** Runs {@code expiry} once, on the watchdog's thread, if the call is still watched at {@code due}. */
    Watch watch(long due, Runnable expiry) {
        var watch = new Watch(expiry, due);
        watches.add(watch);
        if (parked) {
            LockSupport.unpark(thread);
        }
        return watch;
    }

    /** The call ended: its deadlines no longer hold, and nothing here keeps it reachable. */
    void forget(Watch watch) {
        watches.remove(watch);
    }

    /** Calls watched now. */
    int size() {
        return watches.size();
    }

    private void run() {
        long idleSince = System.nanoTime();
        while (running) {
            long now = System.nanoTime();
            for (var watch : watches) {
                if (watch.overdue(now) && watches.remove(watch)) {
                    try {
                        watch.expiry.run();
                    } catch (RuntimeException e) {
                        // dropping a connection that is already gone: the call fails on its own
                    }
                }
            }
            if (!watches.isEmpty()) {
                idleSince = now;
            } else if (now - idleSince > PARK_AFTER_IDLE) {
                // a call watched after the flag is set either is seen below or sees the flag and unparks
                parked = true;
                if (watches.isEmpty() && running) {
                    LockSupport.park(this);
                }
                parked = false;
                idleSince = System.nanoTime();
                continue;
            }
            LockSupport.parkNanos(this, TICK.toNanos());
        }
    }

    /** Stops the thread; deadlines still watched no longer fire. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }
}
