package dev.colloquy.platform;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.jdbc.support.SQLStateSQLExceptionTranslator;
import org.springframework.stereotype.Component;

/**
 * Bulk inserts with PostgreSQL's {@code COPY ... FROM STDIN}, in the caller's transaction when there
 * is one. Values are written in COPY's text format: strings, numbers, booleans, UUIDs, instants and
 * byte arrays; {@code null} is SQL NULL.
 */
@Component
public class CopyWriter {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]*");
    private static final int FLUSH_BYTES = 256 * 1024;

    private final DataSource dataSource;
    private final QueryMetrics metrics;
    private final SQLExceptionTranslator translator = new SQLStateSQLExceptionTranslator();

    CopyWriter(DataSource dataSource, QueryMetrics metrics) {
        this.dataSource = dataSource;
        this.metrics = metrics;
    }

    /** Copies the rows into the table's columns and returns how many rows PostgreSQL took. */
    public long copy(String table, List<String> columns, Iterable<Object[]> rows) {
        if (!IDENTIFIER.matcher(table).matches()
                || !columns.stream().allMatch(c -> IDENTIFIER.matcher(c).matches())) {
            throw new IllegalArgumentException("table and column names must be plain identifiers");
        }
        var sql = "COPY " + table + " (" + String.join(", ", columns) + ") FROM STDIN (FORMAT text)";
        var connection = DataSourceUtils.getConnection(dataSource);
        long started = System.nanoTime();
        try {
            var copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
            try {
                var line = new StringBuilder(FLUSH_BYTES + 4096);
                for (var row : rows) {
                    if (row.length != columns.size()) {
                        throw new IllegalArgumentException(
                                "row has " + row.length + " values for " + columns.size() + " columns");
                    }
                    for (int i = 0; i < row.length; i++) {
                        if (i > 0) {
                            line.append('\t');
                        }
                        append(line, row[i]);
                    }
                    line.append('\n');
                    if (line.length() >= FLUSH_BYTES) {
                        var bytes = line.toString().getBytes(StandardCharsets.UTF_8);
                        copy.writeToCopy(bytes, 0, bytes.length);
                        line.setLength(0);
                    }
                }
                var bytes = line.toString().getBytes(StandardCharsets.UTF_8);
                copy.writeToCopy(bytes, 0, bytes.length);
                return copy.endCopy();
            } finally {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
        } catch (SQLException e) {
            var translated = translator.translate("COPY into " + table, sql, e);
            throw translated != null ? translated : new IllegalStateException(e);
        } finally {
            metrics.record(sql, Duration.ofNanos(System.nanoTime() - started));
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    private static void append(StringBuilder line, Object value) {
        switch (value) {
            case null -> line.append("\\N");
            case byte[] bytes -> line.append("\\\\x").append(HexFormat.of().formatHex(bytes));
            case Instant instant -> line.append(instant);
            case Number number -> line.append(number);
            case Boolean bool -> line.append(bool ? 't' : 'f');
            default -> escape(line, value.toString());
        }
    }

    private static void escape(StringBuilder line, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '\t' -> line.append("\\t");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\0' -> throw new IllegalArgumentException("text values cannot contain NUL characters");
                default -> line.append(c);
            }
        }
    }
}
