package dev.colloquy.llm.spend;

import dev.colloquy.user.CurrentUser;
import dev.colloquy.user.UserAccounts;
import dev.colloquy.web.InvalidParameter;
import dev.colloquy.web.NotFound;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/usage?from&to}: the caller's tokens and cost per model and day (UTC), from the ledger; and the budget. */
@RestController
class UsageController {

    record Day(
            LocalDate day,
            String model,
            long calls,
            long failedCalls,
            long inputTokens,
            long outputTokens,
            long cachedInputTokens,
            long cacheWriteTokens,
            long reasoningTokens,
            BigDecimal costUsd,
            BigDecimal savedUsd) {}

    /** Totals of the days; the cached, cache-write and reasoning tokens are also in input and output. */
    record Totals(
            long calls,
            long failedCalls,
            long inputTokens,
            long outputTokens,
            long cachedInputTokens,
            long cacheWriteTokens,
            long reasoningTokens,
            BigDecimal costUsd,
            BigDecimal savedUsd) {}

    record Usage(LocalDate from, LocalDate to, List<Day> days, Totals totals) {}

    private final Usages usages;
    private final Budgets budgets;

    private final UserAccounts accounts;

    UsageController(Usages usages, Budgets budgets, UserAccounts accounts) {
        this.accounts = accounts;
        this.usages = usages;
        this.budgets = budgets;
    }

    /** What the caller has spent, holds reserved and has left this month (UTC). */
    @GetMapping("/api/usage/budget")
    Budgets.Status budget(@AuthenticationPrincipal CurrentUser caller) {
        return budgets.status(caller.id());
    }

    @GetMapping("/api/usage")
    Usage usage(
            @AuthenticationPrincipal CurrentUser caller,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) @Nullable LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) @Nullable LocalDate to) {
        return usage(caller.id(), from, to);
    }

    /** One account's usage, for admins. */
    @GetMapping("/api/admin/users/{id}/usage")
    Usage usageOf(
            @PathVariable UUID id,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) @Nullable LocalDate from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE) @Nullable LocalDate to) {
        accounts.find(id).orElseThrow(() -> new NotFound("Account"));
        return usage(id, from, to);
    }

    /** One account's budget this month, for admins. */
    @GetMapping("/api/admin/users/{id}/budget")
    Budgets.Status budgetOf(@PathVariable UUID id) {
        accounts.find(id).orElseThrow(() -> new NotFound("Account"));
        return budgets.status(id);
    }

    private Usage usage(UUID userId, @Nullable LocalDate from, @Nullable LocalDate to) {
        var last = to == null ? LocalDate.now(ZoneOffset.UTC) : to;
        var first = from == null ? last.minusDays(29) : from;
        if (first.isAfter(last) || first.plusDays(366).isBefore(last)) {
            throw new InvalidParameter("'from' must not be after 'to', and the range is at most 366 days");
        }
        var days = usages.daily(userId, first, last);
        var totals = new Totals(
                days.stream().mapToLong(Day::calls).sum(),
                days.stream().mapToLong(Day::failedCalls).sum(),
                days.stream().mapToLong(Day::inputTokens).sum(),
                days.stream().mapToLong(Day::outputTokens).sum(),
                days.stream().mapToLong(Day::cachedInputTokens).sum(),
                days.stream().mapToLong(Day::cacheWriteTokens).sum(),
                days.stream().mapToLong(Day::reasoningTokens).sum(),
                days.stream().map(Day::costUsd).reduce(BigDecimal.ZERO, BigDecimal::add),
                days.stream().map(Day::savedUsd).reduce(BigDecimal.ZERO, BigDecimal::add));
        return new Usage(first, last, days, totals);
    }
}
