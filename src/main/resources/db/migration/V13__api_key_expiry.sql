-- A key may be made to stop working at a set time; null: until revoked.
alter table api_keys add column expires_at timestamptz;
