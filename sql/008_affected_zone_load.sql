-- 008: affected zones are loaded from CSV like the other kinds (iffa load
-- affected_zone), so each row names the load batch it came from. Rows typed
-- in by hand before keep a NULL load_id.

ALTER TABLE affected_zone ADD COLUMN load_id bigint REFERENCES load_batch;
