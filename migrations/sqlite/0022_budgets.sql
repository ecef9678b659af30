-- Participatory budgeting (0022, issue 17): residents divide a budget over
-- plans, online, with a letter code, at a stand or on paper, into one
-- tally. One person, one ballot across those channels is the voter
-- register's primary key (participations, kind 'ballot', ref_id = the
-- budget's instrument), as for polls. See docs/architecture.md,
-- "Participatory budgeting".

-- A budget is the fourth instrument kind. SQLite cannot alter a CHECK
-- constraint, and rebuilding instruments (create, copy, DROP TABLE,
-- rename) is not an option: with foreign keys on, which cannot be switched
-- off inside the migration's transaction, DROP TABLE deletes every row
-- first and the ON DELETE CASCADE of a dozen tables would empty them. So
-- the constraint's text is changed in place, as SQLite's documentation
-- describes for making a CHECK constraint less strict (ALTER TABLE page,
-- "making other kinds of table schema changes"): with writable_schema on,
-- the stored CREATE TABLE text of instruments gets 'budget' in its kind
-- list. Every existing row satisfies the wider constraint, so nothing on
-- disk becomes invalid. "writable_schema = RESET" switches the pragma off
-- and makes this connection read the schema again; the tables created
-- below move the schema cookie, so every other connection reads it again
-- before its next statement. The migration's test
-- (TestMigration0022AdmitsBudgets) inserts a budget instrument on every
-- pooled connection and checks that other kinds are still refused.
PRAGMA writable_schema = ON;
UPDATE sqlite_master
SET sql = replace(sql, 'CHECK (kind IN (''consultation'', ''poll'', ''idea_board''))',
                       'CHECK (kind IN (''consultation'', ''poll'', ''idea_board'', ''budget''))')
WHERE type = 'table' AND name = 'instruments';
PRAGMA writable_schema = RESET;
-- Should the text ever differ from 0003's, the migration fails (json()
-- of a non-JSON text raises an error) rather than leave budgets refused.
SELECT CASE WHEN (SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'instruments')
                 LIKE '%''idea_board'', ''budget''))%'
            THEN 1 ELSE json('0022: the kind constraint of instruments was not widened') END;

CREATE TABLE budgets (
    instrument_id       INTEGER PRIMARY KEY REFERENCES instruments (id) ON DELETE CASCADE,
    method              TEXT NOT NULL DEFAULT 'knapsack' CHECK (method IN ('knapsack', 'approval', 'points')),
    rule                TEXT NOT NULL DEFAULT 'greedy' CHECK (rule IN ('greedy', 'mes')),
    min_spend_pct       INTEGER NOT NULL DEFAULT 0 CHECK (min_spend_pct BETWEEN 0 AND 100),
    min_plans           INTEGER NOT NULL DEFAULT 0 CHECK (min_plans >= 0),
    max_plans           INTEGER NOT NULL DEFAULT 0 CHECK (max_plans >= 0),
    points_total        INTEGER NOT NULL DEFAULT 0 CHECK (points_total >= 0),
    per_wijk            BOOLEAN NOT NULL DEFAULT 0,
    wijk_source         TEXT NOT NULL DEFAULT 'brp' CHECK (wijk_source IN ('brp', 'declared')),
    result_published_at DATETIME
);

-- The money per area, in euro cents: one row with wijk '' for a single
-- budget, one per wijk with per_wijk.
CREATE TABLE budget_areas (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    instrument_id INTEGER NOT NULL REFERENCES budgets (instrument_id) ON DELETE CASCADE,
    wijk          TEXT NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0)
);
CREATE UNIQUE INDEX budget_areas_instrument_wijk_key ON budget_areas (instrument_id, wijk);

CREATE TABLE budget_plans (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    instrument_id INTEGER NOT NULL REFERENCES budgets (instrument_id) ON DELETE CASCADE,
    area_id       INTEGER NOT NULL REFERENCES budget_areas (id) ON DELETE CASCADE,
    title         TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    cost          INTEGER NOT NULL CHECK (cost > 0),
    theme         TEXT NOT NULL DEFAULT '',
    image_path    TEXT NOT NULL DEFAULT '',
    image_alt     TEXT NOT NULL DEFAULT '',
    image_width   INTEGER NOT NULL DEFAULT 0,
    image_height  INTEGER NOT NULL DEFAULT 0,
    idea_id       INTEGER REFERENCES ideas (id) ON DELETE SET NULL,
    position      INTEGER NOT NULL
);
CREATE UNIQUE INDEX budget_plans_instrument_position_key ON budget_plans (instrument_id, position);
CREATE INDEX budget_plans_area_idx ON budget_plans (area_id);
CREATE INDEX budget_plans_idea_idx ON budget_plans (idea_id);

-- Paper ballots come in batches, checked by a second staff member before
-- they count.
CREATE TABLE budget_batches (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    instrument_id INTEGER NOT NULL REFERENCES budgets (instrument_id) ON DELETE CASCADE,
    number        INTEGER NOT NULL,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'submitted', 'checked')),
    entered_by    INTEGER REFERENCES staff_members (id) ON DELETE SET NULL,
    checked_by    INTEGER REFERENCES staff_members (id) ON DELETE SET NULL,
    invalid_count INTEGER NOT NULL DEFAULT 0 CHECK (invalid_count >= 0),
    note          TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL,
    submitted_at  DATETIME,
    checked_at    DATETIME,
    CHECK (checked_by IS NULL OR entered_by IS NULL OR checked_by <> entered_by)
);
CREATE UNIQUE INDEX budget_batches_instrument_number_key ON budget_batches (instrument_id, number);

-- The ballot box. No voter token, no code, no staff id: the one link to a
-- person is participant_id (online ballots only), removed on erasure. A
-- batch with ballots cannot be deleted (checked at commit, as plan_id
-- below).
CREATE TABLE budget_ballots (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    instrument_id  INTEGER NOT NULL REFERENCES budgets (instrument_id) ON DELETE CASCADE,
    area_id        INTEGER NOT NULL REFERENCES budget_areas (id) ON DELETE CASCADE,
    channel        TEXT NOT NULL CHECK (channel IN ('online', 'code', 'stand', 'paper')),
    participant_id INTEGER REFERENCES participants (id) ON DELETE SET NULL,
    batch_id       INTEGER REFERENCES budget_batches (id) DEFERRABLE INITIALLY DEFERRED,
    wijk           TEXT NOT NULL DEFAULT '',
    counted        BOOLEAN NOT NULL DEFAULT 1,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL,
    CHECK (participant_id IS NULL OR channel = 'online'),
    CHECK ((channel = 'paper') = (batch_id IS NOT NULL)),
    CHECK (counted OR channel = 'paper')
);
CREATE UNIQUE INDEX budget_ballots_instrument_participant_key ON budget_ballots (instrument_id, participant_id);
CREATE INDEX budget_ballots_participant_idx ON budget_ballots (participant_id);
CREATE INDEX budget_ballots_batch_idx ON budget_ballots (batch_id);
CREATE INDEX budget_ballots_area_idx ON budget_ballots (area_id);

-- One line per chosen plan. A plan with lines cannot be deleted: the
-- key is checked when the transaction commits (DEFERRABLE INITIALLY
-- DEFERRED), not at once, because deleting a whole instrument cascades to
-- plans and to ballots with their lines in an order PostgreSQL does not
-- promise, and a check in between would refuse it; at commit the lines
-- are gone too.
CREATE TABLE budget_ballot_plans (
    ballot_id INTEGER NOT NULL REFERENCES budget_ballots (id) ON DELETE CASCADE,
    plan_id   INTEGER NOT NULL REFERENCES budget_plans (id) DEFERRABLE INITIALLY DEFERRED,
    points    INTEGER NOT NULL CHECK (points > 0),
    PRIMARY KEY (ballot_id, plan_id)
);
CREATE INDEX budget_ballot_plans_plan_idx ON budget_ballot_plans (plan_id);

-- While a paper batch can still be changed, each entered ballot keeps the
-- register token of its letter code, so removing a wrongly entered paper
-- frees exactly that person; the rows are deleted when the batch is
-- checked, so a counted ballot keeps no link to anyone.
CREATE TABLE budget_paper_entries (
    ballot_id INTEGER PRIMARY KEY REFERENCES budget_ballots (id) ON DELETE CASCADE,
    voter     TEXT NOT NULL
);

-- Counted ballots per plan and channel, spread over shards as poll_tallies.
CREATE TABLE budget_tallies (
    plan_id INTEGER NOT NULL REFERENCES budget_plans (id) ON DELETE CASCADE,
    channel TEXT NOT NULL,
    shard   INTEGER NOT NULL,
    votes   INTEGER NOT NULL DEFAULT 0,
    points  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (plan_id, channel, shard)
);

-- The uploaded register of residents entitled to vote by letter, paper or
-- at a stand: the register token (never the BSN), the wijk, and
-- HMAC(code key, code) so a typed code finds its row.
CREATE TABLE budget_voters (
    instrument_id INTEGER NOT NULL REFERENCES budgets (instrument_id) ON DELETE CASCADE,
    voter         TEXT NOT NULL,
    wijk          TEXT NOT NULL DEFAULT '',
    code_lookup   TEXT NOT NULL,
    letter_no     INTEGER NOT NULL,
    PRIMARY KEY (instrument_id, voter)
);
CREATE UNIQUE INDEX budget_voters_instrument_code_key ON budget_voters (instrument_id, code_lookup);
