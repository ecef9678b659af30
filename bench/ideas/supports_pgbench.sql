-- One support insert with a unique (idea, supporter) key, as PostgreSQL
-- alone does it: the ceiling for what Inspraak's support endpoint can
-- reach (bench/ideas/supports.sh), as pgbench_ballot.sql is for votes.
\set i random(1, 1000)
\set v random(1, 1000000000)
INSERT INTO bench_supports (idea_id, voter, created_at) VALUES (:i, md5(:v::text || random()::text), now());
