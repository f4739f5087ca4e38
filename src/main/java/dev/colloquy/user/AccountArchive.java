package dev.colloquy.user;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * An account's export as it is written: a ZIP archive of JSON documents, JSON Lines and the files the
 * account uploaded. Entries are written one after the other straight to the response, so an export
 * of any size takes no more memory than its largest file.
 */
public final class AccountArchive {

    private static final int PAGE = 500;

    private final ZipOutputStream zip;
    private final JsonMapper json;

    AccountArchive(OutputStream out, JsonMapper json) {
        this.zip = new ZipOutputStream(out, StandardCharsets.UTF_8);
        this.json = json;
    }

    /** One JSON document. */
    public void json(String name, Object value) throws IOException {
        open(name);
        json.writerWithDefaultPrettyPrinter().writeValue(new Unclosable(zip), value);
        zip.closeEntry();
    }

    /**
     * One JSON value per line, as PostgreSQL renders them, read in pages of 500 rows in keyset order.
     * The query selects {@code line} (the JSON text), {@code at} and {@code id} (the order), takes
     * {@code :userId}, {@code :afterAt}, {@code :afterId} and {@code :limit}, and keeps to rows after
     * {@code (afterAt, afterId)} when they are not null.
     */
    public void jsonLines(String name, JdbcClient jdbc, String query, UUID userId) throws IOException {
        open(name);
        Timestamp afterAt = null;
        UUID afterId = null;
        while (true) {
            var rows = jdbc.sql(query)
                    .param("userId", userId)
                    .param("afterAt", afterAt)
                    .param("afterId", afterId)
                    .param("limit", PAGE)
                    .query((rs, row) ->
                            new Row(rs.getString("line"), rs.getTimestamp("at"), rs.getObject("id", UUID.class)))
                    .list();
            for (var row : rows) {
                zip.write(row.line().getBytes(StandardCharsets.UTF_8));
                zip.write('\n');
            }
            if (rows.size() < PAGE) {
                break;
            }
            afterAt = rows.getLast().at();
            afterId = rows.getLast().id();
        }
        zip.closeEntry();
    }

    private record Row(String line, Timestamp at, UUID id) {}

    /** A file as it was uploaded, or text. */
    public void bytes(String name, byte[] content) throws IOException {
        open(name);
        zip.write(content);
        zip.closeEntry();
    }

    void finish() throws IOException {
        zip.finish();
        zip.flush();
    }

    private void open(String name) throws IOException {
        if (name.isEmpty() || name.startsWith("/") || name.contains("..") || name.contains("\\")) {
            throw new IllegalArgumentException("an archive entry is a relative path without '..': " + name);
        }
        zip.putNextEntry(new ZipEntry(name));
    }

    /** The archive's stream as one entry sees it: closing it ends nothing. */
    private static final class Unclosable extends java.io.FilterOutputStream {

        Unclosable(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
