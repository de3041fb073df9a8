-- The whole schema, equivalent to SQLite's after its migration 0012 (the
-- sqlstore schema level SchemaLatest). Text that is compared or ordered
-- uses the "C" collation: S3 keys and IAM names order by their bytes
-- whatever the database's locale. Times are Unix nanoseconds (BIGINT), as
-- in SQLite, so the shared queries need no time expressions. Records are
-- JSON kept as TEXT: the store only ever reads them whole, and TEXT keeps
-- the bytes the shared code wrote (JSONB would reorder keys and cost a
-- parse on every write).

CREATE TABLE accounts (
    id         TEXT COLLATE "C" PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE entities (
    account    TEXT COLLATE "C" NOT NULL,
    kind       TEXT COLLATE "C" NOT NULL,
    id         TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    name_lower TEXT COLLATE "C" NOT NULL,
    path       TEXT COLLATE "C" NOT NULL,
    data       TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE UNIQUE INDEX entities_name ON entities (account, kind, name_lower);

CREATE TABLE group_members (
    account  TEXT COLLATE "C" NOT NULL,
    group_id TEXT COLLATE "C" NOT NULL,
    user_id  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account, group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (account, user_id);

CREATE TABLE policy_versions (
    policy_arn TEXT COLLATE "C" NOT NULL,
    version_id TEXT COLLATE "C" NOT NULL,
    seq        BIGINT NOT NULL,
    document   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (policy_arn, version_id)
);

CREATE TABLE inline_policies (
    account  TEXT COLLATE "C" NOT NULL,
    kind     TEXT COLLATE "C" NOT NULL,
    owner_id TEXT COLLATE "C" NOT NULL,
    name     TEXT COLLATE "C" NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (account, kind, owner_id, name)
);

CREATE TABLE attachments (
    account    TEXT COLLATE "C" NOT NULL,
    kind       TEXT COLLATE "C" NOT NULL,
    owner_id   TEXT COLLATE "C" NOT NULL,
    policy_arn TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account, kind, owner_id, policy_arn)
);
CREATE INDEX attachments_policy ON attachments (account, policy_arn);

CREATE TABLE access_keys (
    id           TEXT COLLATE "C" PRIMARY KEY,
    account      TEXT COLLATE "C" NOT NULL,
    user_id      TEXT COLLATE "C" NOT NULL,
    secret       BYTEA NOT NULL,
    status       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL DEFAULT 0,
    last_service TEXT NOT NULL DEFAULT '',
    last_region  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_keys_user ON access_keys (account, user_id);

CREATE TABLE meta (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('iam_generation', 1);

CREATE TABLE token_keys (
    id         BIGINT PRIMARY KEY,
    sealed     BYTEA NOT NULL,
    state      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE buckets (
    name       TEXT COLLATE "C" PRIMARY KEY,
    account    TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    data       TEXT NOT NULL,
    region     TEXT COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX buckets_account ON buckets (account, name);
CREATE INDEX buckets_region ON buckets (account, region, name);

CREATE TABLE objects (
    bucket             TEXT COLLATE "C" NOT NULL,
    key                TEXT COLLATE "C" NOT NULL,
    data               TEXT NOT NULL,
    size               BIGINT NOT NULL DEFAULT 0,
    etag               TEXT NOT NULL DEFAULT '',
    modified           BIGINT NOT NULL DEFAULT 0,
    owner              TEXT NOT NULL DEFAULT '',
    checksum_algorithm TEXT NOT NULL DEFAULT '',
    checksum_type      TEXT NOT NULL DEFAULT '',
    storage_class      TEXT NOT NULL DEFAULT '',
    version_id         TEXT COLLATE "C" NOT NULL DEFAULT 'null',
    seq                BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, key)
);

CREATE TABLE object_versions (
    bucket             TEXT COLLATE "C" NOT NULL,
    key                TEXT COLLATE "C" NOT NULL,
    seq                BIGINT NOT NULL,
    version_id         TEXT COLLATE "C" NOT NULL,
    delete_marker      BIGINT NOT NULL DEFAULT 0,
    size               BIGINT NOT NULL DEFAULT 0,
    etag               TEXT NOT NULL DEFAULT '',
    modified           BIGINT NOT NULL DEFAULT 0,
    owner              TEXT NOT NULL DEFAULT '',
    checksum_algorithm TEXT NOT NULL DEFAULT '',
    checksum_type      TEXT NOT NULL DEFAULT '',
    storage_class      TEXT NOT NULL DEFAULT '',
    noncurrent_since   BIGINT NOT NULL DEFAULT 0,
    data               TEXT NOT NULL,
    PRIMARY KEY (bucket, key, seq)
);
CREATE UNIQUE INDEX object_versions_id ON object_versions (bucket, key, version_id);

CREATE TABLE blob_refs (
    blob_key TEXT COLLATE "C" NOT NULL,
    bucket   TEXT COLLATE "C" NOT NULL,
    key      TEXT COLLATE "C" NOT NULL,
    upload   TEXT COLLATE "C" NOT NULL,
    part     BIGINT NOT NULL,
    PRIMARY KEY (blob_key, bucket, key, upload, part)
);
CREATE INDEX blob_refs_owner ON blob_refs (bucket, key, upload, part);

CREATE TABLE uploads (
    id         TEXT COLLATE "C" PRIMARY KEY,
    bucket     TEXT COLLATE "C" NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX uploads_listing ON uploads (bucket, key, created_at, id);

CREATE TABLE parts (
    upload_id TEXT COLLATE "C" NOT NULL,
    number    BIGINT NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (upload_id, number)
);

CREATE TABLE mfa_devices (
    serial  TEXT COLLATE "C" PRIMARY KEY,
    account TEXT COLLATE "C" NOT NULL,
    data    TEXT NOT NULL
);
CREATE INDEX mfa_devices_account ON mfa_devices (account, serial);

CREATE TABLE installation (
    id               BIGINT PRIMARY KEY CHECK (id = 1),
    master_key_check BYTEA,
    default_account  TEXT NOT NULL DEFAULT '',
    updated_at       BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE blob_holds (
    id    TEXT COLLATE "C" PRIMARY KEY,
    until BIGINT NOT NULL
);

CREATE TABLE saml_providers (
    account TEXT COLLATE "C" NOT NULL,
    lname   TEXT COLLATE "C" NOT NULL,
    data    TEXT NOT NULL,
    PRIMARY KEY (account, lname)
);

CREATE TABLE oidc_providers (
    arn     TEXT COLLATE "C" PRIMARY KEY,
    account TEXT COLLATE "C" NOT NULL,
    data    TEXT NOT NULL
);
CREATE INDEX oidc_providers_account ON oidc_providers (account, arn);

CREATE TABLE lifecycle_cursors (
    bucket            TEXT COLLATE "C" PRIMARY KEY,
    phase             TEXT NOT NULL,
    key_marker        TEXT NOT NULL DEFAULT '',
    version_id_marker TEXT NOT NULL DEFAULT '',
    started           BIGINT NOT NULL
);

CREATE TABLE account_public_access_blocks (
    account TEXT COLLATE "C" PRIMARY KEY,
    data    TEXT NOT NULL
);
