-- Running totals of submitted answers (0011), kept by the same
-- transaction that submits, changes or withdraws a response, so that the
-- results page reads a few hundred rows instead of every answer.
--   kind 1: an option of a choice or ranking question: chosen n times,
--           rank_sum of the positions given, first_place times ranked first
--   kind 2: a text or number question answered n times
--   kind 3: a number (or scale) question answered with value n times
-- Each total is split over a few shards (by response id) so that
-- submissions at the same moment do not queue for one row; readers add
-- the shards up.
CREATE TABLE answer_tallies (
    instrument_id INTEGER NOT NULL REFERENCES consultations (instrument_id) ON DELETE CASCADE,
    question_id   INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    kind          INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),
    option_id     INTEGER NOT NULL DEFAULT 0,
    value         REAL NOT NULL DEFAULT 0,
    shard         INTEGER NOT NULL,
    n             INTEGER NOT NULL,
    rank_sum      INTEGER NOT NULL DEFAULT 0,
    first_place   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (question_id, kind, option_id, value, shard)
);
CREATE INDEX answer_tallies_instrument_idx ON answer_tallies (instrument_id);

-- The totals of what was submitted before this migration, all in shard 0.
INSERT INTO answer_tallies (instrument_id, question_id, kind, option_id, value, shard, n, rank_sum, first_place)
SELECT r.instrument_id, ao.question_id, 1, ao.option_id, 0, 0, count(*), sum(ao.rank),
       sum(CASE WHEN ao.rank = 1 THEN 1 ELSE 0 END)
FROM answer_options ao JOIN responses r ON r.id = ao.response_id AND r.status = 'submitted'
GROUP BY r.instrument_id, ao.question_id, ao.option_id;

INSERT INTO answer_tallies (instrument_id, question_id, kind, option_id, value, shard, n)
SELECT r.instrument_id, a.question_id, 2, 0, 0, 0, count(*)
FROM answers a JOIN responses r ON r.id = a.response_id AND r.status = 'submitted'
WHERE a.text_value <> '' OR a.number_value IS NOT NULL
GROUP BY r.instrument_id, a.question_id;

INSERT INTO answer_tallies (instrument_id, question_id, kind, option_id, value, shard, n)
SELECT r.instrument_id, a.question_id, 3, 0, a.number_value, 0, count(*)
FROM answers a JOIN responses r ON r.id = a.response_id AND r.status = 'submitted'
WHERE a.number_value IS NOT NULL
GROUP BY r.instrument_id, a.question_id, a.number_value;
