-- Moderation (0009): the queue of contributions waiting for a moderator,
-- reports by participants, the history of every decision, reason
-- templates, participation blocks, and staff e-mail for the digest.

CREATE TABLE moderation_items (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT NOT NULL CHECK (kind IN ('idea', 'comment')),
    target_id        INTEGER NOT NULL,
    instrument_id    INTEGER NOT NULL REFERENCES instruments (id) ON DELETE CASCADE,
    author_id        INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    waiting          BOOLEAN NOT NULL DEFAULT 0,
    pre              BOOLEAN NOT NULL DEFAULT 0,
    screened         BOOLEAN NOT NULL DEFAULT 0,
    reported         BOOLEAN NOT NULL DEFAULT 0,
    second_look      BOOLEAN NOT NULL DEFAULT 0,
    hits             TEXT NOT NULL DEFAULT '',
    open_reports     INTEGER NOT NULL DEFAULT 0 CHECK (open_reports >= 0),
    queued_at        DATETIME,
    claimed_by       INTEGER REFERENCES staff_members (id) ON DELETE SET NULL,
    claimed_until    DATETIME,
    not_by           INTEGER REFERENCES staff_members (id) ON DELETE SET NULL,
    decision         TEXT NOT NULL DEFAULT '',
    decided_by       INTEGER REFERENCES staff_members (id) ON DELETE SET NULL,
    decided_at       DATETIME,
    reason           TEXT NOT NULL DEFAULT '',
    second_look_used BOOLEAN NOT NULL DEFAULT 0,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE UNIQUE INDEX moderation_items_target_key ON moderation_items (kind, target_id);
CREATE INDEX moderation_items_queue_idx ON moderation_items (queued_at, id) WHERE waiting;
CREATE INDEX moderation_items_instrument_idx ON moderation_items (instrument_id);
CREATE INDEX moderation_items_author_idx ON moderation_items (author_id);

CREATE TABLE moderation_reports (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id        INTEGER NOT NULL REFERENCES moderation_items (id) ON DELETE CASCADE,
    reporter       TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    reason         TEXT NOT NULL CHECK (reason IN ('spam', 'offensive', 'personal_data', 'off_topic', 'other')),
    note           TEXT NOT NULL DEFAULT '',
    created_at     DATETIME NOT NULL
);
CREATE UNIQUE INDEX moderation_reports_reporter_key ON moderation_reports (item_id, reporter);
CREATE INDEX moderation_reports_participant_idx ON moderation_reports (participant_id);

CREATE TABLE moderation_templates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    active     BOOLEAN NOT NULL DEFAULT 1,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL
);

CREATE TABLE moderation_events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id        INTEGER NOT NULL REFERENCES moderation_items (id) ON DELETE CASCADE,
    action         TEXT NOT NULL,
    staff_id       INTEGER REFERENCES staff_members (id) ON DELETE SET NULL,
    template_id    INTEGER REFERENCES moderation_templates (id) ON DELETE SET NULL,
    note           TEXT NOT NULL DEFAULT '',
    waited_seconds INTEGER,
    created_at     DATETIME NOT NULL
);
CREATE INDEX moderation_events_item_idx ON moderation_events (item_id, created_at);
CREATE INDEX moderation_events_created_idx ON moderation_events (created_at);

CREATE TABLE participation_blocks (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    participant_id INTEGER NOT NULL REFERENCES participants (id) ON DELETE CASCADE,
    reason         TEXT NOT NULL,
    until          DATETIME NOT NULL,
    created_by     INTEGER REFERENCES staff_members (id) ON DELETE SET NULL,
    created_at     DATETIME NOT NULL,
    lifted_at      DATETIME,
    lifted_by      INTEGER REFERENCES staff_members (id) ON DELETE SET NULL
);
CREATE INDEX participation_blocks_participant_idx ON participation_blocks (participant_id, until);

ALTER TABLE staff_members ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- A reply that is not public yet (pre-moderation, or held back by
-- screening) keeps the comment it answers here until a moderator approves
-- it; then that comment's author hears of the reply and this is cleared.
ALTER TABLE idea_comments ADD COLUMN pending_reply_to INTEGER REFERENCES idea_comments (id) ON DELETE SET NULL;
