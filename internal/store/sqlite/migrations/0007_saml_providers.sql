-- IAM SAML identity providers. The record (JSON) holds the metadata
-- document, the entity id read from it, validity and tags.
CREATE TABLE saml_providers (
    account TEXT NOT NULL,
    lname   TEXT NOT NULL,
    data    TEXT NOT NULL,
    PRIMARY KEY (account, lname)
);
