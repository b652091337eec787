-- 009: case exports and periodic reports are recorded like signatures and
-- shared exports (007): through iffa_audit_crypto(), so that a reader who
-- writes a report from the findings it may read leaves a row in audit_log
-- although it may not INSERT there. Same checks, two more commands.

CREATE OR REPLACE FUNCTION iffa_audit_crypto(p_os_user text, p_command text, p_params jsonb,
                                             p_rows bigint, p_output_sha256 text, p_detail jsonb)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    new_id bigint;
BEGIN
    IF p_command IS NULL OR p_command NOT IN ('keygen', 'sign', 'verify', 'share export',
                                              'case export', 'report') THEN
        RAISE EXCEPTION 'iffa_audit_crypto: command % is not a key, signing, sharing, export or report command',
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
