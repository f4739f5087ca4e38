package dev.colloquy.platform;

import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Creates the monthly partitions of every {@link PartitionedTable} from last month to {@code
 * colloquy.database.partitions-ahead} months ahead: before the service takes traffic, then daily.
 * Replicas doing it at once serialise on an advisory lock.
 */
@Component
public class MonthlyPartitions implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(MonthlyPartitions.class);
    private static final long LOCK = 0x636f6c6c6f717579L;

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final List<PartitionedTable> tables;
    private final DatabaseProperties properties;
    private final Clock clock;

    MonthlyPartitions(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            List<PartitionedTable> tables,
            DatabaseProperties properties) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.tables = tables;
        this.properties = properties;
        this.clock = Clock.systemUTC();
    }

    @Override
    public void afterSingletonsInstantiated() {
        ensureAhead();
    }

    @Scheduled(cron = "0 17 3 * * *", zone = "UTC")
    void ensureAhead() {
        var now = YearMonth.now(clock.withZone(ZoneOffset.UTC));
        ensure(now.minusMonths(1), now.plusMonths(properties.partitionsAhead()));
    }

    /** Makes sure every month from {@code first} to {@code last}, both included, has its partition. */
    public void ensure(YearMonth first, YearMonth last) {
        transactions.executeWithoutResult(status -> {
            jdbc.sql("select pg_advisory_xact_lock(:lock)")
                    .param("lock", LOCK)
                    .query()
                    .singleValue();
            for (var table : tables) {
                for (var month = first; !month.isAfter(last); month = month.plusMonths(1)) {
                    create(table, month);
                }
            }
        });
    }

    private void create(PartitionedTable table, YearMonth month) {
        var partition = "%s_p%04d_%02d".formatted(table.name(), month.getYear(), month.getMonthValue());
        var created = jdbc.sql("select to_regclass(:name) is null")
                .param("name", partition)
                .query(Boolean.class)
                .single();
        if (created) {
            jdbc.sql("create table %s partition of %s for values from ('%s-01 00:00:00+00') to ('%s-01 00:00:00+00')"
                            .formatted(partition, table.name(), month, month.plusMonths(1)))
                    .update();
            log.info("Created partition {} of {}", partition, table.name());
        }
    }
}
