-- Access to the web application and the API: the user's language, server-side sessions, API tokens
-- and the failed sign-ins that throttle guessing. Secrets are never stored: sessions and tokens are
-- kept as the SHA-256 of a random 256-bit value, passwords as Argon2id hashes (in users).
-- Sessions, tokens and failures are looked up before the organisation is known, so they are not
-- organisation data: a Citus deployment keeps them local to the coordinator, and they carry no
-- foreign keys into the distributed tables (a lookup joins users and checks it is enabled).

ALTER TABLE users ADD COLUMN lang TEXT;

CREATE TABLE sessions (
    token_hash    TEXT    NOT NULL PRIMARY KEY,
    org_id        BIGINT NOT NULL,
    user_id       BIGINT NOT NULL,
    csrf_token    TEXT    NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (org_id, user_id);

CREATE TABLE api_tokens (
    org_id        BIGINT NOT NULL,
    id            BIGINT NOT NULL,
    user_id       BIGINT NOT NULL,
    name          TEXT    NOT NULL,
    token_hash    TEXT    NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX api_tokens_by_hash ON api_tokens (token_hash);

-- Keyed by the e-mail typed, lower-cased: throttling must work before anyone is known.
CREATE TABLE sign_in_failures (
    email  TEXT    NOT NULL,
    at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX sign_in_failures_by_email ON sign_in_failures (email, at);

-- The dashboard's "deals moved through the stages this period".
CREATE INDEX stage_changes_by_time ON stage_changes (org_id, changed_at);
