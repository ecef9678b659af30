-- Results (0010): counting a consultation's responses by state (started,
-- partial, submitted) reads this index instead of every response of the
-- instrument.
CREATE INDEX responses_instrument_status_idx ON responses (instrument_id, status);
