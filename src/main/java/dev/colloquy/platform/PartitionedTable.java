package dev.colloquy.platform;

import java.util.regex.Pattern;

/**
 * A table range-partitioned by month on {@code created_at}; a feature declares one as a bean and
 * {@link MonthlyPartitions} keeps its partitions created ahead of time.
 */
public record PartitionedTable(String name) {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,40}");

    public PartitionedTable {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new IllegalArgumentException("not a plain table name: " + name);
        }
    }
}
