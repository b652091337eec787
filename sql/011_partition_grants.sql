-- 011: a transfer partition gives each role what the role has on transfer.
-- The ingest reads partitions directly (one connection per partition), so
-- a partition made on the loader's behalf must let the analyst read it;
-- before this, only the owner could analyse data loaded by iffa_loader.

CREATE OR REPLACE FUNCTION iffa_grant_like_transfer(part regclass)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r text;
    p text;
BEGIN
    FOREACH r IN ARRAY ARRAY['iffa_loader', 'iffa_analyst', 'iffa_screener',
                             'iffa_reader', 'iffa_auditor'] LOOP
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r);
        FOREACH p IN ARRAY ARRAY['SELECT', 'INSERT'] LOOP
            IF has_table_privilege(r, 'transfer', p) THEN
                EXECUTE format('GRANT %s ON %s TO %I', p, part, r);
            END IF;
        END LOOP;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION iffa_grant_like_transfer(regclass) FROM PUBLIC;

CREATE OR REPLACE FUNCTION iffa_ensure_transfer_partitions(lo timestamptz, hi timestamptz)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    m date := date_trunc('month', lo AT TIME ZONE 'UTC')::date;
    made integer := 0;
    name text;
BEGIN
    WHILE m <= (hi AT TIME ZONE 'UTC')::date LOOP
        name := format('transfer_%s', to_char(m, 'YYYY_MM'));
        IF to_regclass(name) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF transfer FOR VALUES '
                           'FROM (%L) TO (%L)', name,
                           (m::timestamp AT TIME ZONE 'UTC'),
                           ((m + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
            PERFORM iffa_grant_like_transfer(name::regclass);
            made := made + 1;
        END IF;
        m := (m + interval '1 month')::date;
    END LOOP;
    RETURN made;
END $$;

-- Partitions made before this migration.
SELECT iffa_grant_like_transfer(inhrelid::regclass)
  FROM pg_inherits WHERE inhparent = 'transfer'::regclass;
