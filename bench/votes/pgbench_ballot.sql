-- One ballot insert with a unique (poll, voter) key, as PostgreSQL alone
-- does it: the ceiling for what Inspraak's vote endpoint can reach.
\set v random(1, 1000000000)
INSERT INTO bench_ballots (instrument_id, voter, created_at) VALUES (1, md5(:v::text || random()::text), now());
