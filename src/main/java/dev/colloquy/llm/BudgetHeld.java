package dev.colloquy.llm;

import dev.colloquy.web.ApiProblem;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import org.springframework.http.HttpStatus;

/**
 * A call whose worst-case cost fits what is left of the caller's monthly budget once the calls still
 * running have settled, but not while they hold their worst cases: a 429 with {@code Retry-After},
 * which clients retry. Those calls usually cost far less than they hold, so the retry mostly fits.
 */
public final class BudgetHeld extends ApiProblem {

    /** Calls settle in about the time of one answer; a client that retries after this mostly fits. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final BigDecimal heldUsd;
    private final BigDecimal neededUsd;

    public BudgetHeld(BigDecimal heldUsd, BigDecimal neededUsd) {
        super(
                HttpStatus.TOO_MANY_REQUESTS,
                "budget-held",
                "Budget held by calls in flight",
                "This call may cost up to " + neededUsd.toPlainString() + " USD and calls still running hold "
                        + heldUsd.toPlainString() + " USD of this month's budget until they finish; retry after "
                        + RETRY_AFTER.toSeconds() + " s",
                RETRY_AFTER);
        this.heldUsd = heldUsd;
        this.neededUsd = neededUsd;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("heldUsd", heldUsd, "neededUsd", neededUsd);
    }
}
