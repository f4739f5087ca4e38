-- A conversation's sampling temperature (0 to 2, checked by the service), sent with each of its chat
-- turns; null: the model's own default. A nullable column without a default rewrites nothing.
alter table conversations add column temperature double precision;
