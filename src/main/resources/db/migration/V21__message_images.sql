-- Images attached to questions. An image belongs to its conversation and goes with it; questions name
-- their images in messages.images (id, type, size), and an edited question names its original's, so
-- an image is stored once however many versions of the question show it.
create table message_images (
    id              uuid        primary key,
    conversation_id uuid        not null references conversations (id) on delete cascade,
    user_id         uuid        not null,
    media_type      text        not null,
    width           integer     not null,
    height          integer     not null,
    bytes           bytea       not null,
    created_at      timestamptz not null
);

-- images are compressed already: kept out of line without another round of compression
alter table message_images alter column bytes set storage external;

create index message_images_conversation on message_images (conversation_id);
-- an account's export pages through its images
create index message_images_user on message_images (user_id, created_at, id);

alter table messages add column images jsonb;
