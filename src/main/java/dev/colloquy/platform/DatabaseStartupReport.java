package dev.colloquy.platform;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Says in the log which PostgreSQL the service is using. */
@Component
class DatabaseStartupReport {

    private static final Logger log = LoggerFactory.getLogger(DatabaseStartupReport.class);

    private final JdbcClient jdbc;

    DatabaseStartupReport(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @EventListener(ApplicationReadyEvent.class)
    void report() {
        var server = jdbc.sql("""
                        select current_setting('server_version') as version, current_database() as database,
                               coalesce(host(inet_server_addr()), 'local socket') as address,
                               current_setting('port') as port
                        """)
                .query((rs, row) -> "PostgreSQL " + rs.getString("version") + ", database " + rs.getString("database")
                        + " at " + rs.getString("address") + ":" + rs.getString("port"))
                .single();
        log.info("Using {}", server);
    }
}
