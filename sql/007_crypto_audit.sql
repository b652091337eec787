-- 007: the audit record of key generation, signing, verification and
-- pseudonymised exports (src/crypto, src/share).
--
-- Every one of these operations must leave a row in audit_log, whoever runs
-- it. A reader signs the reports it reads and an auditor verifies signed
-- packages, yet neither may INSERT into audit_log (006: they do not write).
-- This function is their one way in: it appends a row for these commands
-- only, stamped with the login role (session_user; current_user inside a
-- SECURITY DEFINER function is the owner), and cannot write anything else.

CREATE FUNCTION iffa_audit_crypto(p_os_user text, p_command text, p_params jsonb,
                                  p_rows bigint, p_output_sha256 text, p_detail jsonb)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    new_id bigint;
BEGIN
    IF p_command IS NULL OR p_command NOT IN ('keygen', 'sign', 'verify', 'share export') THEN
        RAISE EXCEPTION 'iffa_audit_crypto: command % is not a key, signing or sharing command',
            coalesce(p_command, 'NULL') USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_output_sha256 IS NOT NULL AND p_output_sha256 !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'iffa_audit_crypto: output_sha256 must be 64 lower-case hex digits'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO audit_log (db_role, os_user, command, params, rows_affected,
                           output_sha256, detail)
    VALUES (session_user, p_os_user, p_command, coalesce(p_params, '{}'), p_rows,
            p_output_sha256, p_detail)
    RETURNING id INTO new_id;
    RETURN new_id;
END $$;

REVOKE ALL ON FUNCTION iffa_audit_crypto(text, text, jsonb, bigint, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION iffa_audit_crypto(text, text, jsonb, bigint, text, jsonb)
    TO iffa_loader, iffa_analyst, iffa_screener, iffa_reader, iffa_auditor;
