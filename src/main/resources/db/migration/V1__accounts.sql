-- Accounts, API keys and login sessions. Secrets (passwords, keys, tokens) are stored only as hashes.

create table users (
    id            uuid primary key,
    email         text        not null,
    display_name  text        not null,
    password_hash text        not null,
    role          text        not null default 'USER' check (role in ('USER', 'ADMIN')),
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint users_email_normalised check (email = lower(email))
);
create unique index users_email_key on users (email);

create table api_keys (
    id           uuid primary key,
    user_id      uuid        not null references users (id) on delete cascade,
    name         text        not null,
    prefix       text        not null,
    key_hash     bytea       not null,
    scope        text        not null check (scope in ('full', 'chat')),
    created_at   timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
create unique index api_keys_key_hash_key on api_keys (key_hash);
create index api_keys_user_id_idx on api_keys (user_id, created_at desc);

create table sessions (
    id           uuid primary key,
    user_id      uuid        not null references users (id) on delete cascade,
    token_hash   bytea       not null,
    created_at   timestamptz not null default now(),
    expires_at   timestamptz not null,
    revoked_at   timestamptz
);
create unique index sessions_token_hash_key on sessions (token_hash);
create index sessions_user_id_idx on sessions (user_id);
create index sessions_expires_at_idx on sessions (expires_at);
