package dev.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.colloquy.Api;
import dev.colloquy.FakeUpstream;
import dev.colloquy.FakeUpstream.Reply;
import dev.colloquy.Replica;
import dev.colloquy.TestRedis;
import dev.colloquy.llm.spend.Budgets;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Budgets across two replicas sharing Redis: a burst of parallel calls at a budget that allows only
 * some, whose clients retry the 429s of calls refused only for the holds of calls in flight, spends
 * the budget down to less than one call's worst case, never more than the budget; the ledger sums to
 * the spend exactly, and the calls that no longer fit get 402.
 */
class BudgetIT {

    private static final BigDecimal BUDGET = new BigDecimal("0.001");
    /** Each answer: 6 output tokens at 10 USD per million, no input price. */
    private static final BigDecimal CALL_COST = new BigDecimal("0.00006");
    /** What each call holds while it runs: max_tokens 10 at 10 USD per million, a tenth of the budget. */
    private static final BigDecimal WORST_CASE = new BigDecimal("0.0001");

    private static Replica first;
    private static Replica second;

    @BeforeAll
    static void start() {
        var settings = Map.of(
                "spring.data.redis.url",
                TestRedis.get().url(),
                "colloquy.cache.key-prefix",
                TestRedis.get().prefix() + "-budget",
                "colloquy.llm.models[0].name",
                "budget-model",
                "colloquy.llm.models[0].base-url",
                FakeUpstream.get().baseUrl(),
                "colloquy.llm.models[0].output-price-per-million",
                "10",
                "colloquy.llm.budget.monthly-usd",
                BUDGET.toPlainString(),
                "colloquy.llm.budget.reservation-ttl",
                "2s");
        first = Replica.start(settings);
        second = Replica.start(settings);
    }

    @AfterAll
    static void stop() {
        first.close();
        second.close();
    }

    @Test
    void aBurstOnTwoReplicasRetryingHeldCallsSpendsTheBudgetDownAndNeverOver() throws Exception {
        var account = first.api().register();
        var key = first.api()
                .post("/api/api-keys", account.token(), "{\"name\":\"budget\",\"scope\":\"chat\"}")
                .json()
                .get("key")
                .asString();
        int calls = 120;
        for (int i = 0; i < 30; i++) {
            FakeUpstream.get().script("budget-model", Reply.slowChunks(Duration.ofMillis(40), "a", "b", "c"));
        }
        var body =
                "{\"model\":\"budget-model\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"spend\"}]}";
        var statuses = new ArrayList<Integer>();
        var held = new AtomicInteger();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var tasks = new ArrayList<Callable<Api.Response>>();
            for (int i = 0; i < calls; i++) {
                var replica = i % 2 == 0 ? first : second;
                tasks.add(() -> {
                    // as the SDKs do: a 429 is retried after its Retry-After, a 402 is final
                    for (int attempt = 0; ; attempt++) {
                        var response = replica.api().post("/v1/chat/completions", key, body);
                        if (response.status() != 429 || attempt == 30) {
                            return response;
                        }
                        held.incrementAndGet();
                        assertThat(response.json().get("error").get("code").asString())
                                .isEqualTo("budget_held");
                        Thread.sleep(Duration.ofSeconds(Long.parseLong(response.header("Retry-After"))));
                    }
                });
            }
            for (var future : pool.invokeAll(tasks)) {
                var response = future.get();
                statuses.add(response.status());
                if (response.status() == 402) {
                    assertThat(response.json().get("error").get("code").asString())
                            .isEqualTo("budget_exceeded");
                }
            }
        }

        long succeeded = statuses.stream().filter(s -> s == 200).count();
        assertThat(statuses).allMatch(s -> s == 200 || s == 402);
        assertThat(held)
                .as("calls refused for now while others held the budget")
                .hasPositiveValue();
        var spent = CALL_COST.multiply(BigDecimal.valueOf(succeeded));
        assertThat(spent).isLessThanOrEqualTo(BUDGET);
        assertThat(spent).as("spent down to less than one worst case").isGreaterThan(BUDGET.subtract(WORST_CASE));
        assertThat(spent).isGreaterThanOrEqualTo(BUDGET.multiply(new BigDecimal("0.9")));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            var usage = second.api().get("/api/usage", account.token()).json().get("totals");
            assertThat(usage.get("costUsd").decimalValue()).isEqualByComparingTo(spent);
        });
        var budget = first.api().get("/api/usage/budget", account.token()).json();
        assertThat(budget.get("spentUsd").decimalValue()).isEqualByComparingTo(spent);
        assertThat(budget.get("reservedUsd").decimalValue()).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(budget.get("leftUsd").decimalValue()).isEqualByComparingTo(BUDGET.subtract(spent));
    }

    @Test
    void aReservationOfADeadReplicaExpires() {
        var account = first.api().register();
        var budgets = first.bean(Budgets.class);

        var held = budgets.reserve(account.id(), new BigDecimal("0.0004"));
        var duringHold = second.api().get("/api/usage/budget", account.token()).json();

        assertThat(held).isNotNull();
        assertThat(duringHold.get("reservedUsd").decimalValue()).isEqualByComparingTo("0.0004");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(second.api()
                                .get("/api/usage/budget", account.token())
                                .json()
                                .get("leftUsd")
                                .decimalValue())
                        .isEqualByComparingTo(BUDGET));
    }
}
