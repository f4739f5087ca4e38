-- Optional rate limits of one API key, on top of its owner's: null means only the owner's apply.
alter table api_keys
    add column requests_per_minute integer check (requests_per_minute > 0),
    add column tokens_per_minute   integer check (tokens_per_minute > 0);
