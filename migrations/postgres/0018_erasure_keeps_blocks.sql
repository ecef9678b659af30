-- Erasure that unlinks in time too (0018).
--
-- A block outlives the erasure of the participant it was on: only until
-- when and why, under an id derived from the pseudonym for this purpose
-- alone (like the voter register's ids), so that erasing one's data does
-- not lift it. A kept block that has ended is deleted.
CREATE TABLE erased_blocks (
    holder TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    until  TIMESTAMPTZ NOT NULL
);

-- The audit log stays append-only, with one exception: erasure replaces
-- an erased resident's pseudonym in their own entries (logins, logouts,
-- address changes) by 'gewist'. Nothing else of an entry can change, and
-- nothing can be deleted.
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.actor_kind = 'resident' AND NEW.id = OLD.id AND NEW.at = OLD.at
       AND NEW.actor_kind = OLD.actor_kind AND NEW.action = OLD.action AND NEW.detail = OLD.detail
       AND NEW.actor IN (OLD.actor, 'gewist') AND NEW.target IN (OLD.target, 'gewist') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
