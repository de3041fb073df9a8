-- Accounts, IAM entities, policies, keys.
CREATE TABLE accounts (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Users, groups, roles and managed policies share one shape: a unique id,
-- a case-insensitively unique name per account and kind, a path, and the
-- record as JSON.
CREATE TABLE entities (
    account    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    path       TEXT NOT NULL,
    data       TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE UNIQUE INDEX entities_name ON entities (account, kind, name_lower);

CREATE TABLE group_members (
    account  TEXT NOT NULL,
    group_id TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    PRIMARY KEY (account, group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (account, user_id);

CREATE TABLE policy_versions (
    policy_arn TEXT NOT NULL,
    version_id TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    document   TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (policy_arn, version_id)
);

CREATE TABLE inline_policies (
    account    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    owner_id   TEXT NOT NULL,
    name       TEXT NOT NULL,
    document   TEXT NOT NULL,
    PRIMARY KEY (account, kind, owner_id, name)
);

CREATE TABLE attachments (
    account    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    owner_id   TEXT NOT NULL,
    policy_arn TEXT NOT NULL,
    PRIMARY KEY (account, kind, owner_id, policy_arn)
);
CREATE INDEX attachments_policy ON attachments (account, policy_arn);

CREATE TABLE access_keys (
    id           TEXT PRIMARY KEY,
    account      TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    secret       BLOB NOT NULL,
    status       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL DEFAULT 0,
    last_service TEXT NOT NULL DEFAULT '',
    last_region  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_keys_user ON access_keys (account, user_id);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('iam_generation', 1);
