-- 013: the rows an analysis run writes (finding, finding_member,
-- vertex_exposure, exposure_edge) are checked as a run, not row by row.
--
-- A foreign key checks every inserted row with a query of its own that
-- locks the referenced row; on 10M transfers that was most of the time
-- of storing a run (finding_member: 15.1 s for 618,480 rows with its
-- three keys, 1.7 s without; exposure_edge: 6.1 s against 1.9 s for
-- 919,000 rows). The keys protected nothing the roles allow: no role may
-- delete a run, a finding, an account or a party (006_roles.sql), and the
-- ids a run writes come from its own snapshot of those tables. What the
-- keys did besides, deleting a run's rows with the run (which only the
-- owner can do), the triggers below keep doing.

ALTER TABLE finding DROP CONSTRAINT IF EXISTS finding_run_id_fkey;
ALTER TABLE finding_member DROP CONSTRAINT IF EXISTS finding_member_finding_id_fkey,
    DROP CONSTRAINT IF EXISTS finding_member_account_id_fkey,
    DROP CONSTRAINT IF EXISTS finding_member_party_id_fkey;
ALTER TABLE vertex_exposure DROP CONSTRAINT IF EXISTS vertex_exposure_run_id_fkey;
ALTER TABLE exposure_edge DROP CONSTRAINT IF EXISTS exposure_edge_run_id_fkey;

-- Evidence is compressed with lz4: faster to write and to read back (the
-- analysis digests it) than the default pglz, for about the same size.
ALTER TABLE finding ALTER COLUMN evidence SET COMPRESSION lz4;

-- A deleted finding takes its members along; a deleted run its findings
-- and exposure rows.
CREATE FUNCTION iffa_finding_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM finding_member WHERE finding_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER finding_deleted AFTER DELETE ON finding
    FOR EACH ROW EXECUTE FUNCTION iffa_finding_deleted();

CREATE FUNCTION iffa_analysis_run_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM finding WHERE run_id = OLD.id;
    DELETE FROM vertex_exposure WHERE run_id = OLD.id;
    DELETE FROM exposure_edge WHERE run_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER analysis_run_deleted AFTER DELETE ON analysis_run
    FOR EACH ROW EXECUTE FUNCTION iffa_analysis_run_deleted();
