-- A response note (0015) keeps what was published apart from what the
-- analyst is writing: the site, the PDF and Mijn inspraak show the
-- published texts; changes and new sections show after "Wijzigingen
-- publiceren". Notes published before this migration: what they show now.
ALTER TABLE response_notes ADD COLUMN published_intro TEXT NOT NULL DEFAULT '';
ALTER TABLE response_note_sections ADD COLUMN published_title TEXT;
ALTER TABLE response_note_sections ADD COLUMN published_body TEXT;
ALTER TABLE response_note_sections ADD COLUMN published_position INTEGER;

UPDATE response_notes SET published_intro = intro WHERE published_at IS NOT NULL;
UPDATE response_note_sections SET published_title = title, published_body = body, published_position = position
WHERE instrument_id IN (SELECT instrument_id FROM response_notes WHERE published_at IS NOT NULL);
