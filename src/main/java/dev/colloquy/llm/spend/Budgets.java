package dev.colloquy.llm.spend;

import dev.colloquy.cache.TwoTierCache;
import dev.colloquy.llm.BudgetExceeded;
import dev.colloquy.llm.BudgetHeld;
import dev.colloquy.llm.LlmProperties;
import dev.colloquy.platform.Uuid7;
import dev.colloquy.user.User;
import dev.colloquy.user.UserAccounts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Monthly spend per user (the account's own budget when an admin set one, else the installation's
 * default), enforced by reservations: before a call, its worst-case cost is reserved; after it, the
 * reservation is settled to the real cost or released. A call whose worst case does not fit what
 * settled spend has left is refused for the month (402, {@link BudgetExceeded}); one that would fit
 * but for the reservations of calls still running is refused for now (429 with {@code Retry-After},
 * {@link BudgetHeld}), so a burst of calls retried by their clients spends the budget down to less
 * than one worst case instead of stopping at the first full set of holds. With Redis the reservation is one atomic Lua script over keys shared by every replica, so
 * N concurrent calls on M replicas can never overspend; reservations expire, so a replica that dies
 * holding one frees it after {@code reservation-ttl}. Without Redis (or while it is unreachable) the
 * same rules hold within this replica. Amounts are counted in units of 10^-10 USD, the ledger's
 * precision, so the spend matches the ledger to the last digit.
 */
@Component
public class Budgets {

    /** A held reservation; settle or release it exactly once. */
    public record Reservation(String id, UUID userId, YearMonth month, long amount) {}

    /** What a user has spent, holds reserved and has left this month; null limit means no budget. */
    public record Status(
            YearMonth month,
            @Nullable BigDecimal limitUsd,
            BigDecimal spentUsd,
            BigDecimal reservedUsd,
            @Nullable BigDecimal leftUsd) {}

    private static final Logger log = LoggerFactory.getLogger(Budgets.class);
    private static final BigDecimal UNITS_PER_USD = BigDecimal.TEN.pow(10);

    private static final RedisScript<List> RESERVE = RedisScript.of("""
            if redis.call('HEXISTS', KEYS[1], 'spent') == 0 then return {-1, 0, 0} end
            local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[4])
            for _, rid in ipairs(expired) do redis.call('HDEL', KEYS[2], rid) end
            if #expired > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[4]) end
            local reserved = 0
            for _, v in ipairs(redis.call('HVALS', KEYS[2])) do reserved = reserved + tonumber(v) end
            local spent = tonumber(redis.call('HGET', KEYS[1], 'spent'))
            local amount = tonumber(ARGV[2])
            if spent + reserved + amount > tonumber(ARGV[1]) then return {0, spent, reserved} end
            if amount > 0 then
              redis.call('HSET', KEYS[2], ARGV[3], ARGV[2])
              redis.call('ZADD', KEYS[3], ARGV[5], ARGV[3])
              redis.call('PEXPIRE', KEYS[2], ARGV[6])
              redis.call('PEXPIRE', KEYS[3], ARGV[6])
            end
            return {1, spent, reserved + amount}
            """, List.class);

    private static final RedisScript<Long> SETTLE = RedisScript.of("""
            redis.call('HDEL', KEYS[2], ARGV[1])
            redis.call('ZREM', KEYS[3], ARGV[1])
            if tonumber(ARGV[2]) > 0 then redis.call('HINCRBY', KEYS[1], 'spent', ARGV[2]) end
            return 1
            """, Long.class);

    private final LlmProperties.Budget settings;
    private final UserAccounts accounts;
    private final @Nullable StringRedisTemplate redis;
    private final String prefix;
    private final JdbcClient jdbc;
    private final Counter rejections;
    private final Counter held;
    private final Clock clock = Clock.systemUTC();
    private final Map<String, Local> local = new ConcurrentHashMap<>();

    Budgets(
            LlmProperties properties,
            TwoTierCache cache,
            ObjectProvider<StringRedisTemplate> redis,
            JdbcClient jdbc,
            MeterRegistry registry,
            dev.colloquy.cache.CacheProperties cacheProperties,
            UserAccounts accounts) {
        this.accounts = accounts;
        this.settings = properties.budget();
        this.redis = cache.shared() ? redis.getIfAvailable() : null;
        this.prefix = cacheProperties.keyPrefix() + ":budget:";
        this.jdbc = jdbc;
        this.rejections = Counter.builder("llm.budget.rejections")
                .description("Calls refused with 402: their worst case did not fit what settled spend left")
                .register(registry);
        this.held = Counter.builder("llm.budget.held")
                .description("Calls refused with 429 for now: their worst case fit only once calls in flight settle")
                .register(registry);
    }

    /** The account's own budget set by an admin, else the installation's; null: no limit. */
    private @Nullable BigDecimal monthlyUsd(UUID userId) {
        var own = accounts.find(userId).map(User::monthlyBudgetUsd).orElse(null);
        return own != null ? own : settings.monthlyUsd();
    }

    /**
     * Reserves the worst-case cost; null when no budget applies.
     *
     * @throws BudgetExceeded when it does not fit what settled spend has left this month
     * @throws BudgetHeld when it would fit but for the holds of calls still running
     */
    @Nullable
    public Reservation reserve(UUID userId, BigDecimal worstCaseUsd) {
        var monthly = monthlyUsd(userId);
        if (monthly == null) {
            return null;
        }
        long limit = units(monthly, RoundingMode.FLOOR);
        var month = YearMonth.now(clock.withZone(ZoneOffset.UTC));
        var reservation =
                new Reservation(Uuid7.next().toString(), userId, month, units(worstCaseUsd, RoundingMode.CEILING));
        long[] outcome = redis == null ? null : redisReserve(reservation, limit);
        if (outcome == null) {
            outcome = local(userId, month)
                    .reserve(
                            reservation,
                            limit,
                            clock.millis(),
                            settings.reservationTtl().toMillis());
        }
        if (outcome[0] == 0) {
            long spent = outcome[1];
            if (spent + reservation.amount() <= limit) {
                held.increment();
                throw new BudgetHeld(usd(outcome[2]), usd(reservation.amount()));
            }
            rejections.increment();
            throw new BudgetExceeded(usd(Math.max(0, limit - spent)), usd(reservation.amount()));
        }
        return reservation;
    }

    public void settle(@Nullable Reservation reservation, BigDecimal actualUsd) {
        if (reservation != null) {
            finish(reservation, units(actualUsd, RoundingMode.HALF_UP));
        }
    }

    public void release(@Nullable Reservation reservation) {
        if (reservation != null) {
            finish(reservation, 0);
        }
    }

    public Status status(UUID userId) {
        var month = YearMonth.now(clock.withZone(ZoneOffset.UTC));
        var monthly = monthlyUsd(userId);
        if (monthly == null) {
            return new Status(month, null, usd(ledgerSpend(userId, month)), BigDecimal.ZERO.setScale(10), null);
        }
        var probe = new Reservation("status", userId, month, 0);
        long[] outcome = redis == null ? null : redisReserve(probe, Long.MAX_VALUE / 4);
        if (outcome == null) {
            outcome = local(userId, month).reserve(probe, Long.MAX_VALUE, clock.millis(), 0);
        }
        return new Status(
                month,
                monthly,
                usd(outcome[1]),
                usd(outcome[2]),
                usd(Math.max(0, units(monthly, RoundingMode.FLOOR) - outcome[1] - outcome[2])));
    }

    private void finish(Reservation reservation, long amount) {
        if (redis != null) {
            try {
                var keys = keys(reservation.userId(), reservation.month());
                redis.execute(SETTLE, keys, reservation.id(), Long.toString(amount));
                return;
            } catch (RuntimeException e) {
                log.warn("Budget settlement in Redis failed, kept in this replica: {}", e.getMessage());
            }
        }
        local(reservation.userId(), reservation.month()).settle(reservation, amount);
    }

    /** {allowed (1, 0, or -1 for uninitialised), spent, reserved}, or null when Redis cannot answer. */
    private long @Nullable [] redisReserve(Reservation reservation, long limit) {
        try {
            var keys = keys(reservation.userId(), reservation.month());
            for (int attempt = 0; attempt < 2; attempt++) {
                long now = clock.millis();
                List<?> result = redis.execute(
                        RESERVE,
                        keys,
                        Long.toString(limit),
                        Long.toString(reservation.amount()),
                        reservation.id(),
                        Long.toString(now),
                        Long.toString(now + settings.reservationTtl().toMillis()),
                        Long.toString(ttlOfMonthKeys()));
                long[] outcome = {
                    ((Number) result.get(0)).longValue(),
                    ((Number) result.get(1)).longValue(),
                    ((Number) result.get(2)).longValue()
                };
                if (outcome[0] != -1) {
                    return outcome;
                }
                redis.opsForHash()
                        .putIfAbsent(
                                keys.getFirst(),
                                "spent",
                                Long.toString(ledgerSpend(reservation.userId(), reservation.month())));
                redis.expire(keys.getFirst(), java.time.Duration.ofMillis(ttlOfMonthKeys()));
            }
            return null;
        } catch (RuntimeException e) {
            log.warn("Budget reservation in Redis failed, enforcing in this replica: {}", e.getMessage());
            return null;
        }
    }

    private List<String> keys(UUID userId, YearMonth month) {
        var base = prefix + "{" + userId + ":" + month + "}";
        return List.of(base, base + ":reserved", base + ":expiries");
    }

    private Local local(UUID userId, YearMonth month) {
        return local.computeIfAbsent(userId + ":" + month, key -> new Local(ledgerSpend(userId, month)));
    }

    private long ledgerSpend(UUID userId, YearMonth month) {
        var spent = jdbc.sql("""
                        select coalesce(sum(cost_usd), 0) from llm_usage
                         where user_id = :userId and created_at >= :from and created_at < :to
                        """)
                .param("userId", userId)
                .param("from", month.atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC))
                .param("to", month.plusMonths(1).atDay(1).atStartOfDay().atOffset(ZoneOffset.UTC))
                .query(BigDecimal.class)
                .single();
        return units(spent, RoundingMode.HALF_UP);
    }

    private static long ttlOfMonthKeys() {
        return java.time.Duration.ofDays(40).toMillis();
    }

    private static long units(BigDecimal usd, RoundingMode rounding) {
        return usd.multiply(UNITS_PER_USD).setScale(0, rounding).longValueExact();
    }

    private static BigDecimal usd(long units) {
        return BigDecimal.valueOf(units).divide(UNITS_PER_USD).setScale(10, RoundingMode.UNNECESSARY);
    }

    /** One user's month in this replica: the same rules, under a lock. */
    private static final class Local {

        private long spent;
        private final Map<String, long[]> reserved = new HashMap<>();

        Local(long spent) {
            this.spent = spent;
        }

        public synchronized long[] reserve(Reservation reservation, long limit, long now, long ttl) {
            reserved.values().removeIf(held -> held[1] <= now);
            long held = reserved.values().stream().mapToLong(r -> r[0]).sum();
            if (spent + held + reservation.amount() > limit) {
                return new long[] {0, spent, held};
            }
            if (reservation.amount() > 0) {
                reserved.put(reservation.id(), new long[] {reservation.amount(), now + ttl});
            }
            return new long[] {1, spent, held + reservation.amount()};
        }

        public synchronized void settle(Reservation reservation, long amount) {
            reserved.remove(reservation.id());
            spent += amount;
        }
    }
}
