package dev.colloquy.platform;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import net.ttddyy.dsproxy.ExecutionInfo;
import net.ttddyy.dsproxy.QueryInfo;
import net.ttddyy.dsproxy.listener.QueryExecutionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Times every SQL statement ({@code db_query_seconds}) and logs and counts those slower than the
 * threshold ({@code db_slow_queries_total}), by their SQL shape: the statement text with literals
 * replaced, never its bound values.
 */
@Component
public class QueryMetrics implements QueryExecutionListener {

    enum Operation {
        SELECT,
        INSERT,
        UPDATE,
        DELETE,
        COPY,
        OTHER;

        /**
         * The statement's operation; settings sent ahead of it in the same string ({@code set ...;} or
         * {@code select set_config(...);}) are skipped.
         */
        static Operation of(String sql) {
            var head = sql.stripLeading().toLowerCase(Locale.ROOT);
            while ((head.startsWith("set ") || head.startsWith("select set_config(")) && head.indexOf(';') > 0) {
                head = head.substring(head.indexOf(';') + 1).stripLeading();
            }
            if (head.startsWith("with")) {
                head = head.replaceFirst("(?s)^with\\s.*?\\)\\s*", "");
            }
            for (var operation : values()) {
                if (head.startsWith(operation.name().toLowerCase(Locale.ROOT))) {
                    return operation;
                }
            }
            return OTHER;
        }

        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(QueryMetrics.class);
    private static final Pattern LITERAL = Pattern.compile("'(?:[^']|'')*'|\\b\\d+\\b");
    private static final Pattern SPACE = Pattern.compile("\\s+");
    private static final int SHAPE_LIMIT = 600;

    private final Duration threshold;
    private final Map<Operation, Timer> timers = new EnumMap<>(Operation.class);
    private final Map<Operation, Counter> slow = new EnumMap<>(Operation.class);

    QueryMetrics(MeterRegistry registry, DatabaseProperties properties) {
        this.threshold = properties.slowQueryThreshold();
        for (var operation : Operation.values()) {
            timers.put(
                    operation,
                    Timer.builder("db.query")
                            .description("Time spent executing SQL statements")
                            .tag("operation", operation.tag())
                            .publishPercentileHistogram()
                            .register(registry));
            slow.put(
                    operation,
                    Counter.builder("db.slow.queries")
                            .description("SQL statements slower than colloquy.database.slow-query-threshold")
                            .tag("operation", operation.tag())
                            .register(registry));
        }
    }

    @Override
    public void beforeQuery(ExecutionInfo execution, List<QueryInfo> queries) {}

    @Override
    public void afterQuery(ExecutionInfo execution, List<QueryInfo> queries) {
        if (queries.isEmpty()) {
            return;
        }
        record(queries.getFirst().getQuery(), Duration.ofMillis(execution.getElapsedTime()));
    }

    /** Records a statement run outside JDBC statements, such as COPY. */
    public void record(String sql, Duration elapsed) {
        var operation = Operation.of(sql);
        timers.get(operation).record(elapsed);
        if (elapsed.compareTo(threshold) >= 0) {
            slow.get(operation).increment();
            log.atWarn()
                    .addKeyValue("db.operation", operation.tag())
                    .addKeyValue("db.query.shape", shape(sql))
                    .addKeyValue("event.duration", elapsed.toNanos())
                    .log("Slow query took {} ms: {}", elapsed.toMillis(), shape(sql));
        }
    }

    static String shape(String sql) {
        var shape = SPACE.matcher(LITERAL.matcher(sql).replaceAll("?"))
                .replaceAll(" ")
                .strip();
        return shape.length() <= SHAPE_LIMIT ? shape : shape.substring(0, SHAPE_LIMIT) + "...";
    }
}
