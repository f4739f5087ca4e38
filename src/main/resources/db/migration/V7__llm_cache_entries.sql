-- The semantic response cache: first-turn questions and their answers, with the question's embedding,
-- scoped by user, model and system prompt. Looked up by cosine similarity in the service.
create table llm_cache_entries (
    id              uuid        primary key,
    user_id         uuid        not null,
    model           text        not null,
    system_hash     bytea       not null,
    question        text        not null,
    embedding_model text        not null,
    embedding       real[]      not null,
    answer_model    text        not null,
    answer          text        not null,
    input_tokens    integer     not null,
    output_tokens   integer     not null,
    cost_usd        numeric(18, 10) not null,
    created_at      timestamptz not null default now(),
    expires_at      timestamptz not null
);
-- the candidates of one lookup: newest first within user, model and system prompt
create index llm_cache_entries_scope_idx on llm_cache_entries (user_id, model, system_hash, created_at desc);
create index llm_cache_entries_expires_idx on llm_cache_entries (expires_at);
