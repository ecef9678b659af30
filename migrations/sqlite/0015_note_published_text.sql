-- A response note (0015) keeps what was published apart from what the
-- analyst is writing: the site, the PDF, Mijn inspraak and the idea pages
-- show the published texts (and what they were about); changes and new sections show after "Wijzigingen
-- publiceren". Notes published before this migration: what they show now.
ALTER TABLE response_notes ADD COLUMN published_intro TEXT NOT NULL DEFAULT '';
ALTER TABLE response_note_sections ADD COLUMN published_title TEXT;
ALTER TABLE response_note_sections ADD COLUMN published_body TEXT;
ALTER TABLE response_note_sections ADD COLUMN published_position INTEGER;
-- What a section was about when published: who finds it on Mijn inspraak
-- and which idea page links to it follow the published note too.
ALTER TABLE response_note_sections ADD COLUMN published_code_id INTEGER REFERENCES answer_codes (id) ON DELETE SET NULL;
ALTER TABLE response_note_sections ADD COLUMN published_idea_id INTEGER REFERENCES ideas (id) ON DELETE SET NULL;

UPDATE response_notes SET published_intro = intro WHERE published_at IS NOT NULL;
UPDATE response_note_sections SET published_title = title, published_body = body, published_position = position,
    published_code_id = code_id, published_idea_id = idea_id
WHERE instrument_id IN (SELECT instrument_id FROM response_notes WHERE published_at IS NOT NULL);
