-- Failed sign-ins are keyed by the SHA-256 of the e-mail typed (64 hex digits, whatever was typed)
-- and by the client's address, so that throttling can count per account, per address and overall
-- without storing what a stranger sends. The old rows held the e-mail as typed and are dropped:
-- they only slowed guessing for the next minutes.
-- `sign_in_addresses` remembers where each account signed in successfully, so that its owner is
-- not slowed by strangers guessing its password elsewhere. Both are swept on a timer.
DROP TABLE sign_in_failures;

CREATE TABLE sign_in_failures (
    account_key  TEXT    NOT NULL,
    client       TEXT    NOT NULL,
    at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_failures_by_account ON sign_in_failures (account_key, at);
CREATE INDEX sign_in_failures_by_client ON sign_in_failures (client, at);
CREATE INDEX sign_in_failures_by_time ON sign_in_failures (at);

CREATE TABLE sign_in_addresses (
    account_key      TEXT    NOT NULL,
    client           TEXT    NOT NULL,
    last_success_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_key, client)
);
CREATE INDEX sign_in_addresses_by_time ON sign_in_addresses (last_success_at);
