-- Idea boards (0007): ideas under themes, supports (one per participant per idea,
-- counted in the same transaction), comments with one level of replies,
-- and the municipality's status history per idea.

CREATE TABLE idea_boards (
    instrument_id          INTEGER PRIMARY KEY REFERENCES instruments (id) ON DELETE CASCADE,
    moderation             TEXT NOT NULL DEFAULT 'post' CHECK (moderation IN ('pre', 'post')),
    submit_closes_at       DATETIME,
    support_opens_at       DATETIME,
    support_who            TEXT NOT NULL DEFAULT 'any' CHECK (support_who IN ('any', 'digid', 'eherkenning')),
    support_min_loa_digid  TEXT NOT NULL DEFAULT '',
    support_min_loa_eh     TEXT NOT NULL DEFAULT '',
    support_residents_only BOOLEAN NOT NULL DEFAULT 0,
    support_min_age        INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE idea_themes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    instrument_id INTEGER NOT NULL REFERENCES idea_boards (instrument_id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    name          TEXT NOT NULL
);
CREATE UNIQUE INDEX idea_themes_instrument_name_key ON idea_themes (instrument_id, name);

CREATE TABLE ideas (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    instrument_id  INTEGER NOT NULL REFERENCES idea_boards (instrument_id) ON DELETE CASCADE,
    author_id      INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    theme_id       INTEGER REFERENCES idea_themes (id) ON DELETE RESTRICT,
    wijk           TEXT NOT NULL DEFAULT '',
    location       TEXT NOT NULL DEFAULT '',
    moderation     TEXT NOT NULL CHECK (moderation IN ('awaiting', 'approved', 'rejected', 'hidden')),
    status         TEXT NOT NULL CHECK (status IN ('new', 'under_consideration', 'accepted', 'rejected', 'done', 'withdrawn')),
    support_count  INTEGER NOT NULL DEFAULT 0 CHECK (support_count >= 0),
    comment_count  INTEGER NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    edited_at      DATETIME
);
CREATE INDEX ideas_board_created_idx ON ideas (instrument_id, created_at DESC, id DESC);
CREATE INDEX ideas_board_support_idx ON ideas (instrument_id, support_count DESC, id DESC);
CREATE INDEX ideas_author_idx ON ideas (author_id);

CREATE TABLE idea_supports (
    idea_id        INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    supporter      TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    created_at     DATETIME NOT NULL,
    PRIMARY KEY (idea_id, supporter)
);
CREATE INDEX idea_supports_participant_idx ON idea_supports (participant_id);

CREATE TABLE idea_comments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    idea_id     INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    parent_id   INTEGER REFERENCES idea_comments (id) ON DELETE RESTRICT,
    author_id   INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    body        TEXT NOT NULL,
    moderation  TEXT NOT NULL CHECK (moderation IN ('awaiting', 'approved', 'rejected', 'hidden')),
    created_at  DATETIME NOT NULL,
    edited_at   DATETIME,
    deleted_at  DATETIME
);
CREATE INDEX idea_comments_idea_idx ON idea_comments (idea_id, created_at, id);
CREATE INDEX idea_comments_author_idx ON idea_comments (author_id);

CREATE TABLE idea_status_changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    idea_id    INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    response   TEXT NOT NULL DEFAULT '',
    staff_id   INTEGER REFERENCES staff_members (id) ON DELETE SET NULL,
    created_at DATETIME NOT NULL
);
CREATE INDEX idea_status_changes_idea_idx ON idea_status_changes (idea_id, created_at);
