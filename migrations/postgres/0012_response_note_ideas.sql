-- Response notes (0012) for idea boards as well as questionnaires, with
-- sections about one idea; and every section remembers when its people
-- were told, so a section added after the note was first published is
-- announced when the note is published again.
ALTER TABLE response_notes DROP CONSTRAINT response_notes_instrument_id_fkey;
ALTER TABLE response_notes ADD CONSTRAINT response_notes_instrument_id_fkey
    FOREIGN KEY (instrument_id) REFERENCES instruments (id) ON DELETE CASCADE;
ALTER TABLE response_note_sections ADD COLUMN idea_id BIGINT REFERENCES ideas (id) ON DELETE SET NULL;
ALTER TABLE response_note_sections ADD COLUMN announced_at TIMESTAMPTZ;
-- Sections of notes published before were announced then.
UPDATE response_note_sections SET announced_at =
    (SELECT n.published_at FROM response_notes n WHERE n.instrument_id = response_note_sections.instrument_id);
