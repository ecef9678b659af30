-- Participants (residents and businesses, by pseudonym only), staff
-- members, server-side sessions, pending logins, the append-only audit log
-- and seen back-channel logout tokens.

CREATE TABLE participants (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    subject       TEXT NOT NULL,
    key_version   INTEGER NOT NULL,
    means         TEXT NOT NULL CHECK (means IN ('digid', 'eherkenning')),
    loa           TEXT NOT NULL DEFAULT '',
    display_name  TEXT NOT NULL DEFAULT '',
    resident      BOOLEAN,
    age_band      TEXT NOT NULL DEFAULT '',
    wijk          TEXT NOT NULL DEFAULT '',
    verified_at   DATETIME,
    created_at    DATETIME NOT NULL,
    last_login_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX participants_subject_key ON participants (subject);

CREATE TABLE staff_members (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    issuer        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    roles         TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    last_login_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX staff_members_issuer_subject_key ON staff_members (issuer, subject);

CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('resident', 'staff')),
    participant_id INTEGER REFERENCES participants (id) ON DELETE CASCADE,
    staff_id       INTEGER REFERENCES staff_members (id) ON DELETE CASCADE,
    means          TEXT NOT NULL,
    loa            TEXT NOT NULL DEFAULT '',
    provider_sid   TEXT NOT NULL DEFAULT '',
    id_token       TEXT NOT NULL DEFAULT '',
    created_at     DATETIME NOT NULL,
    last_seen_at   DATETIME NOT NULL,
    expires_at     DATETIME NOT NULL
);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
CREATE INDEX sessions_staff_idx ON sessions (staff_id);

CREATE TABLE pending_logins (
    state       TEXT PRIMARY KEY,
    means       TEXT NOT NULL,
    verifier    TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    return_path TEXT NOT NULL,
    min_loa     TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         DATETIME NOT NULL,
    actor_kind TEXT NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC);

-- Append-only: the database itself refuses changes to history.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TABLE logout_tokens_seen (
    jti        TEXT PRIMARY KEY,
    expires_at DATETIME NOT NULL
);
