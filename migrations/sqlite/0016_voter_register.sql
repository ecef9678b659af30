-- The voter register (0016): who took part is kept apart from what they
-- submitted. participations holds one row per person per poll, submitted
-- questionnaire, supported idea and reported contribution, under the
-- per-instrument id derived from the pseudonym that ballots, responses,
-- supports and reports carried until now; its primary key is now the
-- one-person-one-vote guarantee. The content tables lose those derived ids
-- and link to the person only through participant_id, which erasure sets
-- to NULL. The register has no time and no link to content.
CREATE TABLE participations (
    kind          TEXT NOT NULL CHECK (kind IN ('ballot', 'response', 'support', 'report')),
    ref_id        INTEGER NOT NULL,
    voter         TEXT NOT NULL,
    instrument_id INTEGER NOT NULL REFERENCES instruments (id) ON DELETE CASCADE,
    PRIMARY KEY (kind, ref_id, voter)
) WITHOUT ROWID;
CREATE INDEX participations_instrument_idx ON participations (instrument_id);

-- Existing rows, in a fixed order unrelated to when they were made.
INSERT INTO participations (kind, ref_id, voter, instrument_id)
SELECT 'ballot', instrument_id, voter, instrument_id FROM ballots ORDER BY instrument_id, voter;
INSERT INTO participations (kind, ref_id, voter, instrument_id)
SELECT 'response', instrument_id, respondent, instrument_id FROM responses WHERE status = 'submitted' ORDER BY instrument_id, respondent;
INSERT INTO participations (kind, ref_id, voter, instrument_id)
SELECT 'support', s.idea_id, s.supporter, i.instrument_id FROM idea_supports s JOIN ideas i ON i.id = s.idea_id ORDER BY s.idea_id, s.supporter;
INSERT INTO participations (kind, ref_id, voter, instrument_id)
SELECT 'report', r.item_id, r.reporter, m.instrument_id FROM moderation_reports r JOIN moderation_items m ON m.id = r.item_id ORDER BY r.item_id, r.reporter;

-- SQLite drops a column only when no index uses it: the indexes go first.
DROP INDEX ballots_instrument_voter_key;
ALTER TABLE ballots DROP COLUMN voter;
CREATE UNIQUE INDEX ballots_instrument_participant_key ON ballots (instrument_id, participant_id);

DROP INDEX responses_instrument_respondent_key;
ALTER TABLE responses DROP COLUMN respondent;
CREATE UNIQUE INDEX responses_instrument_participant_key ON responses (instrument_id, participant_id);

-- The supporter was part of idea_supports' primary key, which SQLite
-- cannot alter: the table is built anew (nothing refers to it).
CREATE TABLE idea_supports_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    idea_id        INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
    participant_id INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    created_at     DATETIME NOT NULL
);
INSERT INTO idea_supports_new (idea_id, participant_id, created_at)
SELECT idea_id, participant_id, created_at FROM idea_supports ORDER BY idea_id, created_at;
DROP TABLE idea_supports;
ALTER TABLE idea_supports_new RENAME TO idea_supports;
CREATE UNIQUE INDEX idea_supports_idea_participant_key ON idea_supports (idea_id, participant_id);
CREATE INDEX idea_supports_participant_idx ON idea_supports (participant_id);

DROP INDEX moderation_reports_reporter_key;
ALTER TABLE moderation_reports DROP COLUMN reporter;
CREATE UNIQUE INDEX moderation_reports_item_participant_key ON moderation_reports (item_id, participant_id);
