-- Erasure that unlinks in time too (0018).
--
-- A block outlives the erasure of the participant it was on: only until
-- when and why, under an id derived from the pseudonym for this purpose
-- alone (like the voter register's ids), so that erasing one's data does
-- not lift it. A kept block that has ended is deleted.
CREATE TABLE erased_blocks (
    holder TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    until  DATETIME NOT NULL
);

-- The audit log stays append-only, with one exception: erasure replaces
-- an erased resident's pseudonym in their own entries (logins, logouts,
-- address changes) by 'gewist'. Nothing else of an entry can change, and
-- nothing can be deleted.
DROP TRIGGER audit_log_no_update;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN NOT (OLD.actor_kind = 'resident' AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.actor_kind = OLD.actor_kind
          AND NEW.action = OLD.action AND NEW.detail = OLD.detail
          AND (NEW.actor = OLD.actor OR NEW.actor = 'gewist') AND (NEW.target = OLD.target OR NEW.target = 'gewist'))
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
