-- Response notes (0012) for idea boards as well as questionnaires, with
-- sections about one idea; and every section remembers when its people
-- were told, so a section added after the note was first published is
-- announced when the note is published again. SQLite cannot change a
-- foreign key in place: both tables are built anew and filled from the old.
CREATE TABLE response_notes_new (
    instrument_id INTEGER PRIMARY KEY REFERENCES instruments (id) ON DELETE CASCADE,
    intro         TEXT NOT NULL DEFAULT '',
    published_at  DATETIME,
    updated_at    DATETIME NOT NULL
);
INSERT INTO response_notes_new (instrument_id, intro, published_at, updated_at)
SELECT instrument_id, intro, published_at, updated_at FROM response_notes;

CREATE TABLE response_note_sections_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    instrument_id INTEGER NOT NULL REFERENCES response_notes_new (instrument_id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    code_id       INTEGER REFERENCES answer_codes (id) ON DELETE SET NULL,
    idea_id       INTEGER REFERENCES ideas (id) ON DELETE SET NULL,
    announced_at  DATETIME
);
-- Sections of notes published before were announced then.
INSERT INTO response_note_sections_new (id, instrument_id, position, title, body, code_id, announced_at)
SELECT s.id, s.instrument_id, s.position, s.title, s.body, s.code_id, n.published_at
FROM response_note_sections s JOIN response_notes n ON n.instrument_id = s.instrument_id;

DROP TABLE response_note_sections;
DROP TABLE response_notes;
ALTER TABLE response_notes_new RENAME TO response_notes;
ALTER TABLE response_note_sections_new RENAME TO response_note_sections;
CREATE INDEX response_note_sections_instrument_idx ON response_note_sections (instrument_id, position);
