-- Responses kept for retried POST/PATCH requests that carry an Idempotency-Key.

create table idempotency_keys (
    user_id               uuid        not null,
    key                   text        not null,
    fingerprint           bytea       not null,
    state                 text        not null check (state in ('in_progress', 'completed')),
    response_status       integer,
    response_content_type text,
    response_location     text,
    response_body         bytea,
    created_at            timestamptz not null default now(),
    expires_at            timestamptz not null,
    primary key (user_id, key)
);
create index idempotency_keys_expires_at_idx on idempotency_keys (expires_at);
