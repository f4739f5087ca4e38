package dev.colloquy.llm.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WatchdogTest {

    private final Watchdog watchdog = new Watchdog("watchdog-test");

    @AfterEach
    void stop() {
        watchdog.close();
    }

    @Test
    void aDueCallExpiresOnceAndIsForgotten() throws Exception {
        var fired = new AtomicInteger();
        var expired = new CountDownLatch(1);
        long started = System.nanoTime();
        watchdog.watch(started + millis(50), () -> {
            fired.incrementAndGet();
            expired.countDown();
        });

        assertThat(expired.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(millis(50));
        Thread.sleep(100);
        assertThat(fired).hasValue(1);
        assertThat(watchdog.size()).isZero();
    }

    @Test
    void aCallForgottenBeforeItsDeadlineNeverExpires() throws Exception {
        var fired = new AtomicInteger();
        var watch = watchdog.watch(System.nanoTime() + millis(50), fired::incrementAndGet);
        watchdog.forget(watch);

        Thread.sleep(200);
        assertThat(fired).hasValue(0);
        assertThat(watchdog.size()).isZero();
    }

    @Test
    void aStreamExpiresWhenTokensStopComingNotWhileTheyCome() throws Exception {
        var expired = new CountDownLatch(1);
        var watch = watchdog.watch(System.nanoTime() + millis(60_000), expired::countDown);
        watch.tokensFlow(System.nanoTime() + millis(60_000), Duration.ofMillis(150));
        for (int i = 0; i < 6; i++) {
            Thread.sleep(50);
            watch.token();
        }
        assertThat(expired.getCount()).as("tokens came every 50 ms").isEqualTo(1);

        long lastToken = System.nanoTime();
        assertThat(expired.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(System.nanoTime() - lastToken).isGreaterThanOrEqualTo(millis(150));
    }

    @Test
    void aCallWatchedAfterAnIdleSpellStillExpires() throws Exception {
        // nothing watched for over a second: the thread parks, and the next call must wake it
        Thread.sleep(1_500);
        var expired = new CountDownLatch(1);
        watchdog.watch(System.nanoTime() + millis(20), expired::countDown);

        assertThat(expired.await(5, TimeUnit.SECONDS)).isTrue();
    }

    private static long millis(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
