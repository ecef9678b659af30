-- Results (0010): counting a consultation's responses by state (started,
-- partial, submitted) reads this index instead of every response of the
-- instrument.
CREATE INDEX responses_instrument_status_idx ON responses (instrument_id, status);

-- Who opened a questionnaire while logged in, for the funnel (opened →
-- started → submitted): one row per participant per consultation, under a
-- per-consultation id derived from the pseudonym (like a respondent), so
-- it names nobody.
CREATE TABLE consultation_opens (
    instrument_id INTEGER NOT NULL REFERENCES consultations (instrument_id) ON DELETE CASCADE,
    opener        TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    PRIMARY KEY (instrument_id, opener)
);

-- Results an editor made public: shown on the project page (aggregates
-- with small-cell suppression) and as open data.
CREATE TABLE result_publications (
    instrument_id INTEGER PRIMARY KEY REFERENCES instruments (id) ON DELETE CASCADE,
    published_at  DATETIME NOT NULL,
    published_by  INTEGER REFERENCES staff_members (id) ON DELETE SET NULL
);

-- Codes (labels) analysts give open answers, and which answers carry them.
CREATE TABLE answer_codes (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    instrument_id INTEGER NOT NULL REFERENCES consultations (instrument_id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    created_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX answer_codes_instrument_name_key ON answer_codes (instrument_id, name);

CREATE TABLE answer_codings (
    code_id     INTEGER NOT NULL REFERENCES answer_codes (id) ON DELETE CASCADE,
    response_id INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    PRIMARY KEY (code_id, response_id, question_id)
);
CREATE INDEX answer_codings_answer_idx ON answer_codings (response_id, question_id);

-- The response note (reactienota): the municipality's answer, in sections,
-- each about one code of the open answers (or about everything).
CREATE TABLE response_notes (
    instrument_id INTEGER PRIMARY KEY REFERENCES consultations (instrument_id) ON DELETE CASCADE,
    intro         TEXT NOT NULL DEFAULT '',
    published_at  DATETIME,
    updated_at    DATETIME NOT NULL
);

CREATE TABLE response_note_sections (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    instrument_id INTEGER NOT NULL REFERENCES response_notes (instrument_id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    code_id       INTEGER REFERENCES answer_codes (id) ON DELETE SET NULL
);
CREATE INDEX response_note_sections_instrument_idx ON response_note_sections (instrument_id, position);

-- API tokens analysts make on their profile page: only a hash is kept; the
-- token is shown once.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id     INTEGER NOT NULL REFERENCES staff_members (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME,
    revoked_at   DATETIME
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (hash);
CREATE INDEX api_tokens_staff_idx ON api_tokens (staff_id);

-- Population shares an administrator uploads (CSV), to compare who took
-- part with who lives in the municipality.
CREATE TABLE population_shares (
    dimension  TEXT NOT NULL CHECK (dimension IN ('wijk', 'age')),
    grp        TEXT NOT NULL,
    share      DOUBLE PRECISION NOT NULL CHECK (share >= 0),
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (dimension, grp)
);
