package dev.colloquy.platform;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The embedded default: with no {@code spring.datasource.url} (env {@code SPRING_DATASOURCE_URL}) the
 * service runs its own PostgreSQL, keeping data under {@code colloquy.database.embedded-data-directory}
 * across restarts, and stops it after the connection pool has closed.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(EmbeddedPostgresConfiguration.NoDataSourceUrl.class)
class EmbeddedPostgresConfiguration {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgresConfiguration.class);
    static final String DATABASE = "colloquy";

    @Bean(destroyMethod = "close")
    EmbeddedPostgres embeddedPostgres(DatabaseProperties properties) throws IOException, SQLException {
        var directory = properties.embeddedDataDirectory().toAbsolutePath().normalize();
        Files.createDirectories(directory);
        log.info("SPRING_DATASOURCE_URL is not set: starting the embedded PostgreSQL with its data in {}", directory);
        EmbeddedPostgres postgres;
        try {
            var builder = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    .setCleanDataDirectory(false)
                    .setServerConfig("max_connections", "100");
            if (properties.embeddedPort() > 0) {
                builder.setPort(properties.embeddedPort());
            }
            postgres = builder.start();
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    "The embedded PostgreSQL could not start (" + e.getMessage() + "). Builds made without the"
                            + " dev-postgres profile, such as the container image, carry no PostgreSQL binaries:"
                            + " set SPRING_DATASOURCE_URL to a PostgreSQL server.",
                    e);
        }
        try (var connection = postgres.getPostgresDatabase().getConnection();
                var statement = connection.createStatement()) {
            var exists = statement.executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'");
            if (!exists.next()) {
                statement.execute("create database " + DATABASE);
            }
        }
        log.info("Embedded PostgreSQL is listening on 127.0.0.1:{}", postgres.getPort());
        return postgres;
    }

    @Bean
    @ConfigurationProperties("spring.datasource.hikari")
    HikariDataSource dataSource(EmbeddedPostgres postgres) {
        var dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.getJdbcUrl("postgres", DATABASE));
        dataSource.setUsername("postgres");
        return dataSource;
    }

    static final class NoDataSourceUrl implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return !dataSourceUrlSet(context.getEnvironment());
        }
    }

    /** Whether {@code spring.datasource.url} names a server; without it the embedded one starts. */
    static boolean dataSourceUrlSet(Environment environment) {
        var url = environment.getProperty("spring.datasource.url");
        return url != null && !url.isBlank();
    }
}
