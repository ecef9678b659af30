-- Results (0010): counting a consultation's responses by state (started,
-- partial, submitted) reads this index instead of every response of the
-- instrument.
CREATE INDEX responses_instrument_status_idx ON responses (instrument_id, status);

-- Who opened a questionnaire while logged in, for the funnel (opened →
-- started → submitted): one row per participant per consultation, under a
-- per-consultation id derived from the pseudonym (like a respondent), so
-- it names nobody.
CREATE TABLE consultation_opens (
    instrument_id BIGINT NOT NULL REFERENCES consultations (instrument_id) ON DELETE CASCADE,
    opener        TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (instrument_id, opener)
);

-- Results an editor made public: shown on the project page (aggregates
-- with small-cell suppression) and as open data.
CREATE TABLE result_publications (
    instrument_id BIGINT PRIMARY KEY REFERENCES instruments (id) ON DELETE CASCADE,
    published_at  TIMESTAMPTZ NOT NULL,
    published_by  BIGINT REFERENCES staff_members (id) ON DELETE SET NULL
);
