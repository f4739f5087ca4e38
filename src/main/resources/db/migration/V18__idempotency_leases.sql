-- Keyed requests that call a model no longer run inside one transaction (which held a pooled
-- connection for the whole model call). Such a request claims its key with a lease that the replica
-- running it renews while it runs (`lease_owner`, `lease_until`); a replica that dies stops renewing,
-- and a retry may take the key over once the lease has run out. `checkpoint` is how far the dead
-- attempt got (written in the same transaction as what it did), so the retry goes on from there
-- instead of doing it twice. Adding nullable columns rewrites nothing.

alter table idempotency_keys
    add column lease_owner uuid,
    add column lease_until timestamptz,
    add column checkpoint  text;
