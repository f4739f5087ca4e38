package dev.colloquy.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QueryMetricsTest {

    @Test
    void shapeHidesLiteralsAndFoldsWhitespace() {
        var shape = QueryMetrics.shape("""
                select *   from users
                 where email = 'alice@example.com' and age > 42
                """);

        assertThat(shape).isEqualTo("select * from users where email = ? and age > ?");
    }

    @Test
    void classifiesStatementsByTheirVerb() {
        assertThat(QueryMetrics.Operation.of("  SELECT 1")).isEqualTo(QueryMetrics.Operation.SELECT);
        assertThat(QueryMetrics.Operation.of("insert into t values (?)")).isEqualTo(QueryMetrics.Operation.INSERT);
        assertThat(QueryMetrics.Operation.of("with x as (select 1) update t set a = 1"))
                .isEqualTo(QueryMetrics.Operation.UPDATE);
        assertThat(QueryMetrics.Operation.of("COPY messages (id) FROM STDIN")).isEqualTo(QueryMetrics.Operation.COPY);
        assertThat(QueryMetrics.Operation.of("set local lock_timeout = '10ms'; insert into t values (?)"))
                .isEqualTo(QueryMetrics.Operation.INSERT);
        assertThat(QueryMetrics.Operation.of(
                        "select set_config('lock_timeout', '10ms', true); insert into t values (?)"))
                .isEqualTo(QueryMetrics.Operation.INSERT);
        assertThat(QueryMetrics.Operation.of("select set_config('a', 'b', false)"))
                .isEqualTo(QueryMetrics.Operation.SELECT);
        assertThat(QueryMetrics.Operation.of("set statement_timeout = 0")).isEqualTo(QueryMetrics.Operation.OTHER);
        assertThat(QueryMetrics.Operation.of("vacuum")).isEqualTo(QueryMetrics.Operation.OTHER);
    }
}
