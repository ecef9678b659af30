-- Public figures (0014) of a questionnaire that is still open are the ones
-- counted when the editor published them (or published again): they do not
-- move with every new response, so nobody can watch which counts went up
-- after someone they know answered. Once the questionnaire closes, the
-- public sees the final figures. JSON of the suppressed figures; '' for
-- publications from before this migration (counted at the next view).
ALTER TABLE result_publications ADD COLUMN figures TEXT NOT NULL DEFAULT '';

-- Taking results off the site keeps the row (withdrawn_at), so publishing
-- them again does not tell the project's followers a second time.
ALTER TABLE result_publications ADD COLUMN withdrawn_at TIMESTAMPTZ;
