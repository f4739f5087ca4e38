-- Calls that failed after their retries are in the ledger too (no tokens, no cost), so that the ledger
-- holds every call; 'cached' is kept for answers served from the response cache.
alter table llm_usage drop constraint llm_usage_status_check;
alter table llm_usage add constraint llm_usage_status_check
    check (status in ('complete', 'incomplete', 'failed', 'cached'));
