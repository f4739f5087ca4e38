-- Full-text search in scripts written without spaces: the words of such text as the service broke
-- them (see dev.colloquy.platform.Words), indexed beside the existing `search` column. Null where the
-- text has no such script: there `search` is right as it is. Adding a nullable column rewrites
-- nothing; the GIN indexes are built concurrently (WordIndexes) and existing rows are filled in
-- batches by the running service (WordBackfill).
alter table messages add column words tsvector;
alter table document_chunks add column words tsvector;

-- How far each table's backfill has come (the id it reached), so it resumes where it stopped.
create table word_backfill (
    target   text primary key,
    after_id uuid,
    done_at  timestamptz
);
