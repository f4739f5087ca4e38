package dev.colloquy.llm;

import dev.colloquy.web.ApiProblem;
import java.math.BigDecimal;
import java.util.Map;
import org.springframework.http.HttpStatus;

/** A call whose worst-case cost does not fit what is left of the caller's monthly budget. */
public final class BudgetExceeded extends ApiProblem {

    private final BigDecimal leftUsd;
    private final BigDecimal neededUsd;

    public BudgetExceeded(BigDecimal leftUsd, BigDecimal neededUsd) {
        super(
                HttpStatus.PAYMENT_REQUIRED,
                "budget-exceeded",
                "Budget exceeded",
                "This call may cost up to " + neededUsd.toPlainString() + " USD and " + leftUsd.toPlainString()
                        + " USD of this month's budget is left; ask for fewer max_tokens or wait for next month");
        this.leftUsd = leftUsd;
        this.neededUsd = neededUsd;
    }

    @Override
    public Map<String, Object> properties() {
        return Map.of("leftUsd", leftUsd, "neededUsd", neededUsd);
    }
}
