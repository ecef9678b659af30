-- Where each response got to (0013): the answered question that comes
-- last in the questionnaire, kept by every save. The funnel counts
-- unfinished responses by it instead of reading all their answers.
ALTER TABLE responses ADD COLUMN last_question_id BIGINT REFERENCES questions (id) ON DELETE SET NULL;

UPDATE responses SET last_question_id = (
    SELECT q.id FROM questions q
    WHERE q.id IN (SELECT a.question_id FROM answers a WHERE a.response_id = responses.id
                   UNION SELECT ao.question_id FROM answer_options ao WHERE ao.response_id = responses.id)
    ORDER BY q.position DESC LIMIT 1);
