-- The kinds of tokens priced apart: prompt tokens read from or written to the upstream's prompt cache,
-- and answer tokens spent on reasoning. Each is also counted in input_tokens or output_tokens.
alter table llm_usage
    add column cached_input_tokens integer not null default 0 check (cached_input_tokens >= 0),
    add column cache_write_tokens integer not null default 0 check (cache_write_tokens >= 0),
    add column reasoning_tokens integer not null default 0 check (reasoning_tokens >= 0);
