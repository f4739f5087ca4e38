-- Accounts signed in through an OpenID Connect provider: the provider's subject, linked to one account.
create table user_identities (
    provider   text        not null,
    subject    text        not null,
    user_id    uuid        not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (provider, subject)
);
create index user_identities_user_idx on user_identities (user_id);
