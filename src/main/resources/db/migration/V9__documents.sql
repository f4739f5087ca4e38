-- Documents a user uploads to chat with, their chunks and the chunks' vectors.

create table documents (
    id              uuid        primary key,
    user_id         uuid        not null references users (id) on delete cascade,
    filename        text        not null,
    content_type    text        not null,
    size_bytes      bigint      not null check (size_bytes >= 0),
    sha256          bytea       not null,
    status          text        not null check (status in ('processing', 'ready', 'failed')),
    failure_reason  text,
    pages           integer,
    chunk_count     integer     not null default 0,
    embedding_model text,
    -- bumped whenever the chunks or their vectors change: part of every response-cache key that used them
    version         integer     not null default 0,
    metadata        jsonb       not null default '{}',
    -- ingestion lease: the replica working on the document holds it until lease_until
    lease_until     timestamptz,
    attempts        integer     not null default 0,
    created_at      timestamptz not null,
    updated_at      timestamptz not null
);
-- the same content twice is the same document
create unique index documents_user_sha256_key on documents (user_id, sha256);
-- the document list: newest first, keyset-paged
create index documents_user_created_idx on documents (user_id, created_at desc, id desc);
-- the ingestion queue: only what is still processing
create index documents_processing_idx on documents (created_at) where status = 'processing';
create index documents_metadata_idx on documents using gin (metadata jsonb_path_ops);

-- the uploaded bytes, kept only until the document is ingested (any replica may ingest it)
create table document_sources (
    document_id uuid  primary key references documents (id) on delete cascade,
    content     bytea not null
);

create table document_chunks (
    id              uuid        primary key,
    document_id     uuid        not null references documents (id) on delete cascade,
    user_id         uuid        not null,
    position        integer     not null,
    heading_path    text        not null default '',
    page            integer,
    content         text        not null,
    token_count     integer     not null,
    embedding_model text        not null,
    -- the unit vector quantized to int8: component i is embedding[i] / embedding_scale
    embedding       bytea       not null,
    embedding_scale real        not null,
    search          tsvector    generated always as (to_tsvector('english', heading_path || ' ' || content)) stored
);
create unique index document_chunks_position_key on document_chunks (document_id, position);
create index document_chunks_user_idx on document_chunks (user_id, document_id);
create index document_chunks_search_idx on document_chunks using gin (search);

-- semantic response-cache entries remember the documents their answer used, to be dropped with them
alter table llm_cache_entries add column document_ids uuid[] not null default '{}';
create index llm_cache_entries_documents_idx on llm_cache_entries using gin (document_ids);
