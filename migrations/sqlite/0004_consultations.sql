-- Consultations (vragenlijsten): ordered questions of several types, one
-- response per participant (draft until submitted), answers per question.

CREATE TABLE consultations (
    instrument_id  INTEGER PRIMARY KEY REFERENCES instruments (id) ON DELETE CASCADE,
    one_per_screen BOOLEAN NOT NULL DEFAULT 0
);

CREATE TABLE questions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    instrument_id   INTEGER NOT NULL REFERENCES consultations (instrument_id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('short_text', 'long_text', 'single', 'multiple', 'scale', 'ranking', 'number', 'explanation')),
    text            TEXT NOT NULL,
    help            TEXT NOT NULL DEFAULT '',
    required        BOOLEAN NOT NULL DEFAULT 0,
    max_length      INTEGER NOT NULL DEFAULT 0,
    max_choices     INTEGER NOT NULL DEFAULT 0,
    scale_min       INTEGER NOT NULL DEFAULT 0,
    scale_max       INTEGER NOT NULL DEFAULT 0,
    scale_min_label TEXT NOT NULL DEFAULT '',
    scale_max_label TEXT NOT NULL DEFAULT '',
    number_min      REAL,
    number_max      REAL
);
CREATE UNIQUE INDEX questions_instrument_position_key ON questions (instrument_id, position);

CREATE TABLE question_options (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    label       TEXT NOT NULL
);
CREATE UNIQUE INDEX question_options_question_position_key ON question_options (question_id, position);

CREATE TABLE responses (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    instrument_id  INTEGER NOT NULL REFERENCES consultations (instrument_id) ON DELETE CASCADE,
    respondent     TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    status         TEXT NOT NULL CHECK (status IN ('draft', 'submitted')),
    reference      TEXT NOT NULL DEFAULT '',
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    submitted_at   DATETIME
);
CREATE UNIQUE INDEX responses_instrument_respondent_key ON responses (instrument_id, respondent);
CREATE INDEX responses_participant_idx ON responses (participant_id);

CREATE TABLE answers (
    response_id  INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id  INTEGER NOT NULL REFERENCES questions (id) ON DELETE RESTRICT,
    text_value   TEXT NOT NULL DEFAULT '',
    number_value REAL,
    PRIMARY KEY (response_id, question_id)
);
CREATE INDEX answers_question_idx ON answers (question_id);

CREATE TABLE answer_options (
    response_id INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE RESTRICT,
    option_id   INTEGER NOT NULL REFERENCES question_options (id) ON DELETE RESTRICT,
    rank        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (response_id, question_id, option_id)
);
CREATE INDEX answer_options_option_idx ON answer_options (option_id);
