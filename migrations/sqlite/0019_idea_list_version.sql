-- The board's list of ideas is kept per instance, per order and filter;
-- every write that changes which ideas are public, what they say or where
-- they stand bumps this number in its own transaction, so a page sees in
-- the board row it reads anyway whether its kept list is still current.
ALTER TABLE idea_boards ADD COLUMN list_version INTEGER NOT NULL DEFAULT 1;
