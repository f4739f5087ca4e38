-- The passages of the caller's documents an answer was given, kept with the answer so they survive a
-- reload: [{number, documentId, chunkId, filename, headingPath, page, cited}], null when none.
alter table messages add column citations jsonb;
