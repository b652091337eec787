-- 006: least privilege. Group roles (NOLOGIN) for each kind of user; people
-- and programs log in as their own roles made members of one of these:
--   CREATE ROLE amina LOGIN IN ROLE iffa_analyst;
-- Only the owner of the schema (who runs `iffa db init`) can change it.
--
--   iffa_loader    loads records and sanctions lists; cannot read findings,
--                  screening results or the audit log
--   iffa_analyst   reads records, writes analysis runs and findings; cannot
--                  change source records
--   iffa_screener  reads lists and records, screens; its requests and
--                  verdicts go to the audit log
--   iffa_reader    reads runs, findings and the names they involve (reports)
--   iffa_auditor   reads the audit log and the load and run history
--
-- audit_log is append-only for every role: INSERT is granted, UPDATE and
-- DELETE are granted to nobody, and a trigger refuses them (and TRUNCATE)
-- even for the owner, who bypasses grants but not triggers.

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['iffa_loader', 'iffa_analyst', 'iffa_screener',
                             'iffa_reader', 'iffa_auditor'] LOOP
        -- Roles belong to the cluster, not the database: another database
        -- (or a concurrent `db init`) may have made them already.
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END LOOP;
END $$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO iffa_loader, iffa_analyst, iffa_screener,
    iffa_reader, iffa_auditor;

-- Reference tables: everyone reads them.
GRANT SELECT ON country, currency, affected_zone TO iffa_loader, iffa_analyst,
    iffa_screener, iffa_reader, iffa_auditor;

-- Loader: source records and lists in, nothing of the analysis out.
GRANT SELECT, INSERT ON party, account, transfer, ransom, ransom_leg, gold_lot,
    levy, designation, fx_rate, load_batch, affected_zone TO iffa_loader;
GRANT UPDATE (finished_at, rows_read, rows_loaded, rows_duplicate, rows_rejected)
    ON load_batch TO iffa_loader;
GRANT SELECT, INSERT, UPDATE, DELETE ON sanctions_list, list_version, list_entry,
    list_entry_name, list_entry_dob, list_entry_country TO iffa_loader;
GRANT SELECT, INSERT ON list_change TO iffa_loader;
GRANT INSERT ON audit_log TO iffa_loader;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO iffa_loader;

-- Partitions are created by the table's owner on the loader's behalf.
ALTER FUNCTION iffa_ensure_transfer_partitions(timestamptz, timestamptz)
    SECURITY DEFINER SET search_path = public, pg_temp;
REVOKE ALL ON FUNCTION iffa_ensure_transfer_partitions(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION iffa_ensure_transfer_partitions(timestamptz, timestamptz) TO iffa_loader;

-- Analyst: reads everything it analyses, writes runs and findings only.
GRANT SELECT ON party, account, transfer, ransom, ransom_leg, gold_lot, levy,
    designation, fx_rate, load_batch, sanctions_list, list_version, list_entry,
    list_entry_name, list_entry_dob, list_entry_country, designation_status
    TO iffa_analyst;
GRANT SELECT, INSERT ON analysis_run, finding, finding_member TO iffa_analyst;
GRANT UPDATE (finished_at, status, row_counts, error, params, seed, data_from, data_to)
    ON analysis_run TO iffa_analyst;
GRANT INSERT ON audit_log TO iffa_analyst;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO iffa_analyst;

-- Screener: lists and the records it needs for exposure.
GRANT SELECT ON party, account, transfer, ransom, ransom_leg, gold_lot, levy,
    designation, fx_rate, sanctions_list, list_version, list_entry, list_entry_name,
    list_entry_dob, list_entry_country, designation_status TO iffa_screener;
-- INSERT ... RETURNING reads back the id and the request of its own rows.
GRANT INSERT, SELECT (id, params) ON audit_log TO iffa_screener;
GRANT USAGE ON SEQUENCE audit_log_id_seq TO iffa_screener;

-- Reader: runs and findings, with the names and lists they refer to.
GRANT SELECT ON analysis_run, finding, finding_member, party, account, designation,
    sanctions_list, list_version, list_entry, list_entry_name, designation_status
    TO iffa_reader;

-- Auditor: who did what.
GRANT SELECT ON audit_log, load_batch, analysis_run, schema_version TO iffa_auditor;

CREATE FUNCTION iffa_audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION iffa_audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION iffa_audit_log_append_only();
