-- Account-level S3 Block Public Access configurations (S3 Control's
-- PutPublicAccessBlock), one JSON record per account. Bucket-level
-- configurations live in the bucket record.
CREATE TABLE account_public_access_blocks (
    account TEXT PRIMARY KEY,
    data    TEXT NOT NULL
);
