-- Notifications: in-app messages, e-mail addresses (given with consent and
-- confirmed by a link), per-kind e-mail preferences, followed projects, and
-- the outbox that background senders empty over SMTP.

CREATE TABLE notifications (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    msg_key        TEXT NOT NULL,
    params         TEXT NOT NULL DEFAULT '[]',
    link           TEXT NOT NULL DEFAULT '',
    created_at     DATETIME NOT NULL,
    read_at        DATETIME
);
CREATE INDEX notifications_participant_idx ON notifications (participant_id, id DESC);

-- One address per participant. The confirmation token is stored as its
-- SHA-256 only; confirmed_at NULL means the address is not used yet.
CREATE TABLE notification_addresses (
    participant_id     INTEGER PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    email              TEXT NOT NULL,
    lang               TEXT NOT NULL,
    consent_at         DATETIME NOT NULL,
    confirmed_at       DATETIME,
    confirm_hash       TEXT,
    confirm_expires_at DATETIME
);
CREATE UNIQUE INDEX notification_addresses_confirm_hash_key ON notification_addresses (confirm_hash);

-- No row means every kind is wanted.
CREATE TABLE notification_preferences (
    participant_id INTEGER PRIMARY KEY REFERENCES participants (id) ON DELETE CASCADE,
    idea_status    BOOLEAN NOT NULL,
    reply          BOOLEAN NOT NULL,
    project_phase  BOOLEAN NOT NULL,
    results        BOOLEAN NOT NULL,
    updated_at     DATETIME NOT NULL
);

CREATE TABLE project_follows (
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    project_id     INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    created_at     DATETIME NOT NULL,
    PRIMARY KEY (participant_id, project_id)
);
CREATE INDEX project_follows_project_idx ON project_follows (project_id);

-- The outbox. A row is rendered when it is written (in the transaction of
-- whatever caused it) and sent later by a background sender, which claims
-- it with a lease (locked_by, locked_until) so two instances never send
-- the same row at the same time.
CREATE TABLE mail_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    participant_id  INTEGER REFERENCES participants (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    to_address      TEXT NOT NULL,
    lang            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    unsubscribe_url TEXT NOT NULL DEFAULT '',
    message_id      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    locked_by       TEXT,
    locked_until    DATETIME,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    sent_at         DATETIME
);
CREATE UNIQUE INDEX mail_outbox_message_id_key ON mail_outbox (message_id);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_participant_idx ON mail_outbox (participant_id);
