-- What an answer served from the response cache would have cost: the savings the dashboards show.
alter table llm_usage add column saved_usd numeric(18, 10) not null default 0 check (saved_usd >= 0);
