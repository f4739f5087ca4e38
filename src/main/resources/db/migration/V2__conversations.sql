-- Conversations and their messages. Messages are range-partitioned by month on created_at; the
-- service creates the partitions ahead of time (MonthlyPartitions), so no default partition exists.

create table conversations (
    id               uuid primary key,
    user_id          uuid        not null references users (id) on delete cascade,
    title            text        not null,
    model            text,
    system_prompt    text,
    message_count    integer     not null default 0,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    last_activity_at timestamptz not null default now()
);
-- the conversation list: newest activity first, keyset-paged
create index conversations_user_activity_idx on conversations (user_id, last_activity_at desc, id desc);

create table messages (
    id              uuid        not null,
    conversation_id uuid        not null references conversations (id) on delete cascade,
    user_id         uuid        not null,
    seq             integer     not null,
    role            text        not null check (role in ('system', 'user', 'assistant')),
    content         text        not null,
    model           text,
    status          text        not null default 'complete' check (status in ('complete', 'incomplete', 'failed')),
    input_tokens    integer,
    output_tokens   integer,
    latency_ms      integer,
    metadata        jsonb       not null default '{}',
    created_at      timestamptz not null,
    search          tsvector generated always as (to_tsvector('english', content)) stored,
    primary key (id, created_at)
) partition by range (created_at);

-- a conversation's messages, oldest first, keyset-paged
create index messages_conversation_created_idx on messages (conversation_id, created_at, id);
-- full-text search over a user's messages
create index messages_search_idx on messages using gin (search);
create index messages_user_created_idx on messages (user_id, created_at desc, id desc);
create index messages_metadata_idx on messages using gin (metadata jsonb_path_ops);
