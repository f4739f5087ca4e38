-- What one account may do, overriding the installation's defaults: a monthly budget in USD (null: the
-- default of colloquy.llm.budget.monthly-usd) and the models it may call (null: every model).
alter table users
    add column monthly_budget_usd numeric(18, 10) check (monthly_budget_usd >= 0),
    add column allowed_models     text[];

-- The models one API key may call, within its owner's (null: the owner's).
alter table api_keys add column allowed_models text[];

-- A deleted account's calls stay in the ledger (the amounts are what was spent) without the person.
alter table llm_usage alter column user_id drop not null;
