package dev.colloquy.platform;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;
import org.springframework.stereotype.Component;

/**
 * Migration 17: the GIN indexes of the {@code words} columns, built without blocking writes ({@code
 * create index concurrently}, so outside a transaction). The partitioned {@code messages} table gets
 * its index on each partition concurrently, then attached to an index on the parent; partitions
 * made later get theirs with the parent's.
 */
@Component
public class WordIndexes implements JavaMigration {

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("17");
    }

    @Override
    public String getDescription() {
        return "word indexes";
    }

    @Override
    public Integer getChecksum() {
        return 17;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return false;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        var connection = context.getConnection();
        dropIfInvalid(connection, "document_chunks_words_idx");
        execute(connection, """
                create index concurrently if not exists document_chunks_words_idx
                    on document_chunks using gin (words)""");
        execute(connection, "create index if not exists messages_words_idx on only messages using gin (words)");
        var partitions = new ArrayList<String>();
        try (var statement = connection.createStatement();
                var rows = statement.executeQuery("""
                        select c.relname from pg_inherits i
                          join pg_class c on c.oid = i.inhrelid
                          join pg_class p on p.oid = i.inhparent
                         where p.relname = 'messages'""")) {
            while (rows.next()) {
                partitions.add(rows.getString(1));
            }
        }
        for (var partition : partitions) {
            var index = partition + "_words_idx";
            dropIfInvalid(connection, index);
            execute(
                    connection,
                    "create index concurrently if not exists " + quote(index) + " on " + quote(partition)
                            + " using gin (words)");
            execute(connection, "alter index messages_words_idx attach partition " + quote(index));
        }
    }

    /** A concurrent build that was interrupted leaves an invalid index behind: it is built again. */
    private static void dropIfInvalid(Connection connection, String index) throws SQLException {
        try (var statement = connection.prepareStatement("""
                select not i.indisvalid from pg_index i join pg_class c on c.oid = i.indexrelid
                 where c.relname = ? and c.relnamespace = current_schema()::regnamespace""")) {
            statement.setString(1, index);
            try (var rows = statement.executeQuery()) {
                if (rows.next() && rows.getBoolean(1)) {
                    execute(connection, "drop index concurrently " + quote(index));
                }
            }
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
