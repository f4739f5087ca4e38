-- Conversations as trees of messages: editing a question or regenerating an answer keeps the earlier
-- version beside the new one.
--   messages.parent_seq       the seq of the message this one follows (0: the first of its path).
--                             Null in rows written before this migration, where it is seq - 1: every
--                             conversation was one path, so nothing has to be rewritten.
--   conversations.leaf_seq    the last message of the path the owner has selected; null: the newest.
--   conversations.branched    whether any message has a sibling; a conversation that never branched
--                             is read as one path, exactly as before.
-- Nullable columns and a constant default are added without rewriting either table.
alter table messages add column parent_seq integer;
alter table conversations add column leaf_seq integer;
alter table conversations add column branched boolean not null default false;
