package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.colloquy.Api;
import dev.colloquy.IntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The usage ledger as a client of {@code /v1} meets it: a billed call that has answered is in the
 * ledger already, calls answered together share their commits (the ledger's group commit), and a
 * call whose record cannot be committed is still answered once its wait is over, and billed later.
 */
class UsageLedgerIT extends IntegrationTest {

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private DataSource dataSource;

    @Test
    void concurrentBilledCallsAreEachInTheLedgerWhenTheyAnswerAndShareCommits() throws Exception {
        var account = api().register();
        var key = api().apiKey(account);
        int calls = 32;
        var answered = new AtomicInteger();
        var shortfalls = new AtomicInteger();
        var results = new ArrayList<CompletableFuture<Integer>>();
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < calls; i++) {
                var body = "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"ledger question "
                        + i + "\"}]}";
                results.add(CompletableFuture.supplyAsync(
                        () -> {
                            var response = api().post("/v1/chat/completions", key, body);
                            // every call answered so far, this one included, must be in the ledger now
                            int seen = answered.incrementAndGet();
                            if (billedRows(account) < seen) {
                                shortfalls.incrementAndGet();
                            }
                            return response.status();
                        },
                        clients));
            }
            for (var result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
        }

        assertThat(shortfalls.get())
                .as("answered calls not yet in the ledger when their client looked")
                .isZero();
        assertThat(billedRows(account)).isEqualTo(calls);
        // rows one transaction inserted carry its id (xmin): fewer ids than calls means shared commits
        var commits = jdbc.sql("select count(distinct xmin::text) from llm_usage where user_id = :id")
                .param("id", account.id())
                .query(Long.class)
                .single();
        assertThat(commits).as("commits for %d concurrent billed calls", calls).isLessThan(calls);
    }

    @Test
    void billedCallsOneAtATimeAreEachInTheLedgerWhenTheyAnswer() {
        // a lone call spins for its commit for a moment before it parks: whichever ends its wait, it
        // answers only once committed, when the commit is quick and when it outlasts the spin
        var account = api().register();
        var key = api().apiKey(account);
        for (int i = 1; i <= 20; i++) {
            if (i == 11) {
                slowInserts(account, "0.05");
            }
            var body =
                    "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"lone call " + i + "\"}]}";
            assertThat(api().post("/v1/chat/completions", key, body).status()).isEqualTo(200);
            assertThat(billedRows(account))
                    .as("billed after %d answered calls", i)
                    .isEqualTo(i);
        }
        dropSlowInserts(account);
    }

    @Test
    void aBilledCallIsAnsweredWhenItsRecordCannotCommitAndBilledOnceItCan() throws Exception {
        var account = api().register();
        var key = api().apiKey(account);
        var body = "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"held ledger\"}]}";
        try (var lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            // inserts wait for this lock; reads (the budget's) do not
            lock.createStatement().execute("lock table llm_usage in share mode");
            try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
                var call = CompletableFuture.supplyAsync(
                        () -> api().post("/v1/chat/completions", key, body).status(), clients);
                assertThat(call.get(30, TimeUnit.SECONDS))
                        .as("answered after the ledger's commit wait, not held until the database lets go")
                        .isEqualTo(200);
            }
            assertThat(billedRows(account))
                    .as("not committed while the table is locked")
                    .isZero();
            lock.rollback();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> billedRows(account) == 1);
    }

    @Test
    void aBilledCallWhoseInsertOutlastsTheCommitWaitIsAnsweredAndBilledOnceItCommits() throws Exception {
        var account = api().register();
        var key = api().apiKey(account);
        var body = "{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":\"slow ledger\"}]}";
        // this account's inserts take longer than the 3 s commit wait: not a lock, a slow statement
        slowInserts(account, "5");
        try {
            var response = api().post("/v1/chat/completions", key, body);

            assertThat(response.status()).isEqualTo(200);
            assertThat(billedRows(account))
                    .as("answered once its wait was over, not once the insert finished")
                    .isZero();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> billedRows(account) == 1);
        } finally {
            dropSlowInserts(account);
        }
        Thread.sleep(Duration.ofSeconds(1));
        assertThat(billedRows(account)).as("billed once").isEqualTo(1);
    }

    /** Makes every ledger insert of this account's rows take this many seconds (a trigger). */
    private void slowInserts(Api.Account account, String seconds) {
        String trigger = slowInsertTrigger(account);
        jdbc.sql("""
                        create function %s() returns trigger language plpgsql as $$
                        begin
                          if new.user_id = '%s' then perform pg_sleep(%s); end if;
                          return new;
                        end $$""".formatted(trigger, account.id(), seconds)).update();
        jdbc.sql("create trigger %1$s before insert on llm_usage for each row execute function %1$s()"
                        .formatted(trigger))
                .update();
    }

    private void dropSlowInserts(Api.Account account) {
        String trigger = slowInsertTrigger(account);
        jdbc.sql("drop trigger %1$s on llm_usage".formatted(trigger)).update();
        jdbc.sql("drop function %s()".formatted(trigger)).update();
    }

    private static String slowInsertTrigger(Api.Account account) {
        return "usage_ledger_it_slow_" + account.id().toString().replace("-", "");
    }

    private long billedRows(Api.Account account) {
        return jdbc.sql("select count(*) from llm_usage where user_id = :id and cost_usd > 0")
                .param("id", account.id())
                .query(Long.class)
                .single();
    }
}
