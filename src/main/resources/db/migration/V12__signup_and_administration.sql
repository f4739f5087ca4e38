-- Who gets in: an account waits for an admin (PENDING), is in (ACTIVE) or was shut out (DISABLED).
alter table users
    add column status text not null default 'ACTIVE' check (status in ('ACTIVE', 'PENDING', 'DISABLED'));
create index users_pending on users (created_at desc, id desc) where status = 'PENDING';

-- Single-use invitations an admin hands out; only the hash of the code is kept.
create table invites (
    id         uuid primary key,
    code_hash  bytea       not null unique,
    email      text check (email = lower(email)),
    created_by uuid references users (id) on delete set null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_by    uuid references users (id) on delete set null,
    used_at    timestamptz
);

-- What admins did, to whom, when and from where. The API only ever appends to it and reads it.
create table audit_log (
    id             uuid primary key,
    actor_id       uuid,
    action         text        not null,
    target_id      uuid,
    detail         jsonb       not null default '{}'::jsonb,
    client_address text,
    created_at     timestamptz not null default now()
);
create index audit_log_recent on audit_log (created_at desc, id desc);
