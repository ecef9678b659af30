-- Full-text search of a board's ideas in Dutch, over title and text. An
-- expression index (no extra column): the search query repeats exactly
-- this expression, so the planner uses it.
CREATE INDEX ideas_search_idx ON ideas USING GIN (to_tsvector('dutch', title || ' ' || description));
