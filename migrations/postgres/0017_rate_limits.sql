-- Limits on abuse (0017): one row per counter, shared by every instance on
-- this database. bucket is an HMAC of the action, the window length and the
-- participant, client address or API key (never the value itself); hits
-- counts the current window (window_no = unix time / window length),
-- prev_hits the window before it, for a sliding-window estimate. A row
-- is of no use after expires_unix and the clean-up removes it.
CREATE TABLE rate_limits (
    bucket       TEXT PRIMARY KEY,
    window_no    BIGINT NOT NULL,
    hits         INTEGER NOT NULL,
    prev_hits    INTEGER NOT NULL,
    expires_unix BIGINT NOT NULL
);
CREATE INDEX rate_limits_expires_idx ON rate_limits (expires_unix);
