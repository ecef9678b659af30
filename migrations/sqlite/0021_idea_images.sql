-- Images on ideas (0021): one optional image per idea, stored by the media
-- package like project images (the address names its content hash), with
-- its alternative text and size so a card can reserve its space. An empty
-- path means no image. The index serves the check, before an image is
-- deleted, that no other idea still shows it.
ALTER TABLE ideas ADD COLUMN image_path TEXT NOT NULL DEFAULT '';
ALTER TABLE ideas ADD COLUMN image_alt TEXT NOT NULL DEFAULT '';
ALTER TABLE ideas ADD COLUMN image_width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ideas ADD COLUMN image_height INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ideas_image_idx ON ideas (image_path) WHERE image_path <> '';
