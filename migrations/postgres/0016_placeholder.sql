-- Placeholder for 0016 (i13-voters: voter register), so this branch migrates on its own.
-- Delete this file when both branches are merged.
SELECT 1;
