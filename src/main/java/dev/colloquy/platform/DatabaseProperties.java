package dev.colloquy.platform;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The database.
 *
 * @param embeddedDataDirectory where the embedded PostgreSQL keeps its data (used only without {@code
 *     SPRING_DATASOURCE_URL})
 * @param embeddedPort the embedded server's port; 0 picks a free one
 * @param slowQueryThreshold statements slower than this are logged with their SQL shape and counted
 * @param partitionsAhead how many months of partitions exist ahead of the current one
 */
@Validated
@ConfigurationProperties("colloquy.database")
public record DatabaseProperties(
        @DefaultValue("./data/postgres") Path embeddedDataDirectory,
        @DefaultValue("0") int embeddedPort,
        @DefaultValue("200ms") Duration slowQueryThreshold,
        @DefaultValue("3") int partitionsAhead) {

    public DatabaseProperties {
        if (partitionsAhead < 1 || partitionsAhead > 24) {
            throw new IllegalArgumentException("colloquy.database.partitions-ahead must be between 1 and 24");
        }
    }
}
