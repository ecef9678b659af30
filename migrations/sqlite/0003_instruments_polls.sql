-- Instruments (shared participation rules) and polls with sharded tallies.

CREATE TABLE instruments (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id      INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('consultation', 'poll', 'idea_board')),
    slug            TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    position        INTEGER NOT NULL DEFAULT 0,
    published       BOOLEAN NOT NULL DEFAULT 0,
    who             TEXT NOT NULL DEFAULT 'any' CHECK (who IN ('any', 'digid', 'eherkenning')),
    min_loa_digid   TEXT NOT NULL DEFAULT '',
    min_loa_eh      TEXT NOT NULL DEFAULT '',
    residents_only  BOOLEAN NOT NULL DEFAULT 0,
    min_age         INTEGER NOT NULL DEFAULT 0,
    opens_at        DATETIME,
    closes_at       DATETIME,
    allow_change    BOOLEAN NOT NULL DEFAULT 0,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE UNIQUE INDEX instruments_project_slug_key ON instruments (project_id, slug);

CREATE TABLE polls (
    instrument_id      INTEGER PRIMARY KEY REFERENCES instruments (id) ON DELETE CASCADE,
    question           TEXT NOT NULL,
    multiple           BOOLEAN NOT NULL DEFAULT 0,
    max_choices        INTEGER NOT NULL DEFAULT 1,
    results_visibility TEXT NOT NULL DEFAULT 'after_vote' CHECK (results_visibility IN ('after_vote', 'after_close', 'never'))
);

CREATE TABLE poll_options (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    instrument_id INTEGER NOT NULL REFERENCES polls (instrument_id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    label         TEXT NOT NULL
);
CREATE UNIQUE INDEX poll_options_instrument_position_key ON poll_options (instrument_id, position);

CREATE TABLE ballots (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    instrument_id  INTEGER NOT NULL REFERENCES polls (instrument_id) ON DELETE CASCADE,
    voter          TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL
);
CREATE UNIQUE INDEX ballots_instrument_voter_key ON ballots (instrument_id, voter);
CREATE INDEX ballots_participant_idx ON ballots (participant_id);

CREATE TABLE ballot_choices (
    ballot_id INTEGER NOT NULL REFERENCES ballots (id) ON DELETE CASCADE,
    option_id INTEGER NOT NULL REFERENCES poll_options (id) ON DELETE RESTRICT,
    PRIMARY KEY (ballot_id, option_id)
);
CREATE INDEX ballot_choices_option_idx ON ballot_choices (option_id);

CREATE TABLE poll_tallies (
    option_id INTEGER NOT NULL REFERENCES poll_options (id) ON DELETE CASCADE,
    shard     INTEGER NOT NULL,
    votes     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (option_id, shard)
);
