-- The usage ledger: one row per model call (complete, partial or failed after tokens), with the
-- tokens billed and their cost. Range-partitioned by month on created_at; partitions are created
-- ahead by the service (MonthlyPartitions). Written in batches by COPY, idempotent on id.

create table llm_usage (
    id              uuid          not null,
    user_id         uuid          not null,
    conversation_id uuid,
    model           text          not null,
    provider        text          not null,
    input_tokens    integer       not null check (input_tokens >= 0),
    output_tokens   integer       not null check (output_tokens >= 0),
    cost_usd        numeric(18, 10) not null check (cost_usd >= 0),
    status          text          not null check (status in ('complete', 'incomplete')),
    latency_ms      integer       not null,
    created_at      timestamptz   not null,
    primary key (id, created_at)
) partition by range (created_at);

-- usage per user and day
create index llm_usage_user_created_idx on llm_usage (user_id, created_at);
