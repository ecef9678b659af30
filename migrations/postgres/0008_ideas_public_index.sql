-- The board lists a board's public ideas: a partial index holding just
-- those, with every column the list filters and sorts on, lets the list
-- read the index alone instead of every idea's full row.
CREATE INDEX ideas_public_idx ON ideas (instrument_id, theme_id, status, support_count, created_at, id)
    WHERE moderation = 'approved' AND status <> 'withdrawn';

-- The list now orders in the application; these only tempted the planner
-- away from the covering index above.
DROP INDEX ideas_board_created_idx;
DROP INDEX ideas_board_support_idx;
CREATE INDEX ideas_board_idx ON ideas (instrument_id);
