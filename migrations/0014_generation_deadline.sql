-- When a generation must be done by (deadlineSeconds after it was asked for): past it, the flow fails it as
-- timed_out, refunded, and the cleanup sweeps one whose flow did not.
ALTER TABLE generation_options ADD COLUMN deadline_at timestamp;
CREATE INDEX idx_generation_options_deadline ON generation_options (deadline_at) WHERE deadline_at IS NOT NULL;
