-- One row per lock slot of object keys (sqlstore.KeySlot: a hash of the
-- bucket and key, 65,536 slots): a transaction that writes a key's versions
-- first writes its slot's row (Dialect.KeyLock), so writers of one key run
-- one after the other and a snapshot that predates another writer's commit
-- is refused. See internal/store/sqlstore/scope.go.
CREATE TABLE key_locks (
    slot BIGINT PRIMARY KEY,
    n    BIGINT NOT NULL
);
