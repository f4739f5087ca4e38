package dev.colloquy.llm.spend;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Reads of the {@code llm_usage} ledger. */
@Repository
class Usages {

    private final JdbcClient jdbc;

    Usages(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The user's calls per UTC day and model, from {@code first} to {@code last} inclusive. */
    List<UsageController.Day> daily(UUID userId, LocalDate first, LocalDate last) {
        return jdbc.sql("""
                        select (created_at at time zone 'UTC')::date as day, model, count(*) as calls,
                               count(*) filter (where status = 'failed') as failed_calls,
                               sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens,
                               sum(cached_input_tokens) as cached_input_tokens,
                               sum(cache_write_tokens) as cache_write_tokens,
                               sum(reasoning_tokens) as reasoning_tokens,
                               sum(cost_usd) as cost_usd,
                               sum(saved_usd) as saved_usd
                          from llm_usage
                         where user_id = :userId and created_at >= :from and created_at < :to
                         group by 1, 2
                         order by 1, 2
                        """)
                .param("userId", userId)
                .param("from", first.atStartOfDay().atOffset(ZoneOffset.UTC))
                .param("to", last.plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC))
                .query((rs, row) -> new UsageController.Day(
                        rs.getObject("day", LocalDate.class),
                        rs.getString("model"),
                        rs.getLong("calls"),
                        rs.getLong("failed_calls"),
                        rs.getLong("input_tokens"),
                        rs.getLong("output_tokens"),
                        rs.getLong("cached_input_tokens"),
                        rs.getLong("cache_write_tokens"),
                        rs.getLong("reasoning_tokens"),
                        rs.getBigDecimal("cost_usd"),
                        rs.getBigDecimal("saved_usd")))
                .list();
    }
}
