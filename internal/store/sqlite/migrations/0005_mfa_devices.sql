-- Virtual MFA devices. The record (JSON) holds the sealed TOTP secret.
CREATE TABLE mfa_devices (
    serial  TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    data    TEXT NOT NULL
);
CREATE INDEX mfa_devices_account ON mfa_devices (account, serial);
