package dev.colloquy.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The embedded default keeps its data across restarts and is left out when a URL is configured. */
class EmbeddedPostgresIT {

    @TempDir
    Path directory;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withUserConfiguration(EmbeddedPostgresConfiguration.class)
                .withBean(
                        DatabaseProperties.class,
                        () -> new DatabaseProperties(directory, 0, Duration.ofMillis(200), 3));
    }

    @Test
    void keepsDataAcrossRestarts() {
        runner().run(context -> {
            var jdbc = JdbcClient.create(context.getBean(DataSource.class));
            jdbc.sql("create table kept (note text)").update();
            jdbc.sql("insert into kept values ('survives a restart')").update();
        });

        runner().run(context -> {
            var jdbc = JdbcClient.create(context.getBean(DataSource.class));
            assertThat(jdbc.sql("select note from kept").query(String.class).single())
                    .isEqualTo("survives a restart");
            assertThat(jdbc.sql("select current_setting('server_version_num')::int")
                            .query(Integer.class)
                            .single())
                    .isGreaterThanOrEqualTo(170000);
        });
        assertThat(directory.resolve("PG_VERSION")).exists();
    }

    @Test
    void staysOffWhenADataSourceUrlIsConfigured() {
        runner().withPropertyValues("spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/postgres")
                .run(context -> assertThat(context).doesNotHaveBean(DataSource.class));
    }
}
