-- IAM OpenID Connect identity providers, keyed by their ARN. The record is
-- JSON (URL, client ids, thumbprints, tags).
CREATE TABLE oidc_providers (
    arn     TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    data    TEXT NOT NULL
);
CREATE INDEX oidc_providers_account ON oidc_providers (account, arn);
