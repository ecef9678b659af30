#!/usr/bin/env bash
# Where the moderation queue's database time goes: runs each statement the
# queue page (GET /beheer/moderatie) sends, as the server sends it (copied
# from PostgreSQL's statement log), alone through pgbench, and next to it
# the cheaper forms suggested in bench/README.md; then the claim of "take
# next" as it is and with a partial index of free items. One client, so
# the figures are the statements' own cost, not queueing.
#
#   bash bench/moderation/queries.sh DBNAME [seconds per statement]
#
# DBNAME is a database seeded by bench/moderation/seed on 127.0.0.1:5432
# (run.sh calls this after the driver, before dropping the database). It
# changes the database: it releases the newer half of the claims, runs
# VACUUM ANALYZE, and creates (and drops again) one index.
set -euo pipefail
DB=${1:?usage: queries.sh DBNAME [seconds]}
SECS=${2:-3}
PG="psql -h 127.0.0.1 -p 5432 -U postgres -d $DB -v ON_ERROR_STOP=1 -qAt"
TMP=$(mktemp -d /tmp/inspraak-modq.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# The statements of one queue page. The id lists are those of page 1, as
# the server would send them.
PAGE="SELECT * FROM moderation_items WHERE waiting ORDER BY queued_at, id LIMIT 50"
ITEM_IDS=$($PG -c "SELECT string_agg(id::text, ',') FROM ($PAGE) p")
IDEA_IDS=$($PG -c "SELECT string_agg(target_id::text, ',') FROM ($PAGE) p WHERE kind = 'idea'")
COMMENT_IDS=$($PG -c "SELECT string_agg(target_id::text, ',') FROM ($PAGE) p WHERE kind = 'comment'")
IDEA_IDS=${IDEA_IDS:-0}
COMMENT_IDS=${COMMENT_IDS:-0}
AUTHORS=$($PG -c "SELECT string_agg(author_id::text, ',') FROM ideas WHERE id IN ($IDEA_IDS)")
C_IDEAS=$($PG -c "SELECT string_agg(idea_id::text, ',') FROM idea_comments WHERE id IN ($COMMENT_IDS)")
C_AUTHORS=$($PG -c "SELECT string_agg(author_id::text, ',') FROM idea_comments WHERE id IN ($COMMENT_IDS)")
INSTRUMENTS=$($PG -c "SELECT string_agg(id::text, ',') FROM instruments")
# The last row of page 99, for the keyset form of page 100.
read -r LAST_AT LAST_ID < <($PG -F ' ' -c "SELECT to_char(queued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), id FROM moderation_items WHERE waiting ORDER BY queued_at, id LIMIT 1 OFFSET 4949")

q() { echo "$2" >"$TMP/$1.sql"; }
q count "SELECT count(*) FROM \"moderation_items\" WHERE moderation_items.waiting"
q page1 "SELECT * FROM \"moderation_items\" WHERE moderation_items.waiting ORDER BY moderation_items.queued_at ASC, moderation_items.id ASC LIMIT 50"
q page100 "SELECT * FROM \"moderation_items\" WHERE moderation_items.waiting ORDER BY moderation_items.queued_at ASC, moderation_items.id ASC LIMIT 50 OFFSET 4950"
q ideas "SELECT * FROM \"ideas\" WHERE id IN ($IDEA_IDS)"
q idea_places "SELECT instruments.id AS instrument_id, instruments.slug AS instrument_slug, instruments.title AS instrument_title, projects.slug AS project_slug, projects.title AS project_title, idea_boards.moderation AS mode FROM \"instruments\" JOIN projects ON projects.id = instruments.project_id JOIN idea_boards ON idea_boards.instrument_id = instruments.id WHERE instruments.id IN ($INSTRUMENTS)"
q idea_authors "SELECT id, display_name FROM \"participants\" WHERE id IN ($AUTHORS)"
q comments "SELECT * FROM \"idea_comments\" WHERE id IN ($COMMENT_IDS)"
q comment_ideas "SELECT id, instrument_id, title FROM \"ideas\" WHERE id IN ($C_IDEAS)"
q comment_authors "SELECT id, display_name FROM \"participants\" WHERE id IN ($C_AUTHORS)"
q reasons "SELECT item_id, reason, count(*) AS n FROM \"moderation_reports\" WHERE item_id IN ($ITEM_IDS) GROUP BY item_id, reason"
q places "SELECT moderation_items.instrument_id, instruments.title, projects.title AS project_title, count(*) AS waiting FROM \"moderation_items\" JOIN instruments ON instruments.id = moderation_items.instrument_id JOIN projects ON projects.id = instruments.project_id WHERE moderation_items.waiting GROUP BY moderation_items.instrument_id, instruments.title, projects.title ORDER BY projects.title, instruments.title"
q header_count "SELECT count(*) FROM \"moderation_items\" WHERE waiting"
q screened_count "SELECT count(*) FROM \"moderation_items\" WHERE moderation_items.waiting AND moderation_items.screened"
q screened_page "SELECT * FROM \"moderation_items\" WHERE moderation_items.waiting AND moderation_items.screened ORDER BY moderation_items.queued_at ASC, moderation_items.id ASC LIMIT 50"
# Suggested: one pass that gives the places, the header's number and the
# total of every "why" filter at once.
q summary "SELECT instrument_id, count(*) AS waiting, count(*) FILTER (WHERE pre) AS pre, count(*) FILTER (WHERE screened) AS screened, count(*) FILTER (WHERE reported) AS reported, count(*) FILTER (WHERE second_look) AS second_look FROM moderation_items WHERE waiting GROUP BY instrument_id"
q places_by_id "SELECT instrument_id, count(*) AS waiting FROM moderation_items WHERE waiting GROUP BY instrument_id"
q summary_titles "SELECT instruments.id, instruments.title, projects.title FROM instruments JOIN projects ON projects.id = instruments.project_id WHERE instruments.id IN ($INSTRUMENTS)"
q page100_keyset "SELECT * FROM moderation_items WHERE waiting AND (queued_at, id) > ('$LAST_AT', $LAST_ID) ORDER BY queued_at, id LIMIT 50"

run() {
  local out
  out=$(pgbench -h 127.0.0.1 -p 5432 -U postgres -n -M prepared -c 1 -T "$SECS" -f "$TMP/$1.sql" "$DB" 2>&1) || { echo "$out" >&2; return 1; }
  printf '%-16s %8s ms\n' "$1" "$(echo "$out" | awk '/latency average/ {print $4}')"
}

# The claims the driver left: every waiting item is claimed. Give the
# newer half back, so the head of the queue holds 5,000 live claims and a
# claim has to look past them, and tidy the table as autovacuum would.
$PG -c "UPDATE moderation_items SET claimed_by = NULL, claimed_until = NULL WHERE id IN
  (SELECT id FROM moderation_items WHERE waiting ORDER BY queued_at, id OFFSET 5000)"
$PG -c "VACUUM ANALYZE moderation_items"
$PG -c "VACUUM ANALYZE moderation_reports"
echo "state: $($PG -c "SELECT count(*) || ' waiting, ' || count(claimed_by) || ' claimed' FROM moderation_items WHERE waiting")"

echo "-- the queue page's statements, average of one client for ${SECS}s each"
for n in count page1 page100 ideas idea_places idea_authors comments comment_ideas comment_authors reasons places header_count screened_count screened_page; do
  run "$n"
done
echo "-- suggested forms"
for n in places_by_id summary summary_titles page100_keyset; do
  run "$n"
done

echo "-- take next: the claim's choice of item, 5,000 live claims ahead of the first free item (rolled back)"
MOD=$($PG -c "SELECT min(id) FROM staff_members")
q claim_now "BEGIN;
SELECT id FROM moderation_items WHERE waiting AND (claimed_until IS NULL OR claimed_until <= now()) AND (not_by IS NULL OR not_by <> $MOD) ORDER BY queued_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
ROLLBACK;"
run claim_now
$PG -c "CREATE INDEX modbench_free_idx ON moderation_items (queued_at, id) WHERE waiting AND claimed_until IS NULL"
$PG -c "CREATE INDEX modbench_expiry_idx ON moderation_items (claimed_until) WHERE waiting AND claimed_until IS NOT NULL"
$PG -c "ANALYZE moderation_items"
q claim_free_index "BEGIN;
UPDATE moderation_items SET claimed_by = NULL, claimed_until = NULL WHERE waiting AND claimed_until IS NOT NULL AND claimed_until <= now();
SELECT id FROM moderation_items WHERE waiting AND claimed_until IS NULL AND (not_by IS NULL OR not_by <> $MOD) ORDER BY queued_at, id LIMIT 1 FOR UPDATE SKIP LOCKED;
ROLLBACK;"
run claim_free_index
$PG -c "DROP INDEX modbench_free_idx" -c "DROP INDEX modbench_expiry_idx"
