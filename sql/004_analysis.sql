-- 004: what was run, on which data, with which parameters, what it found,
-- and who did what (audit_log is append-only; roles come in a later
-- migration).

CREATE TABLE analysis_run (
    id            bigserial PRIMARY KEY,
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    status        text NOT NULL DEFAULT 'running'
                  CHECK (status IN ('running', 'completed', 'failed')),
    level         text NOT NULL CHECK (level IN ('account', 'party')),
    data_from     timestamptz,
    data_to       timestamptz,
    params        jsonb NOT NULL DEFAULT '{}',
    row_counts    jsonb NOT NULL DEFAULT '{}',
    seed          bigint,
    code_version  text NOT NULL,
    db_role       text NOT NULL DEFAULT current_user,
    os_user       text,
    error         text
);

CREATE TABLE finding (
    id            bigserial PRIMARY KEY,
    run_id        bigint NOT NULL REFERENCES analysis_run ON DELETE CASCADE,
    pass          text NOT NULL,
    kind          text NOT NULL,
    subject_type  text NOT NULL CHECK (subject_type IN ('party', 'account', 'cluster', 'path')),
    subject_id    bigint,
    subject_label text NOT NULL,
    score         double precision NOT NULL,
    reason        text NOT NULL,
    evidence      jsonb NOT NULL CHECK (jsonb_typeof(evidence) = 'array'
                                        AND jsonb_array_length(evidence) > 0)
);
CREATE INDEX finding_run_idx ON finding (run_id, pass, score DESC);

CREATE TABLE finding_member (
    finding_id  bigint NOT NULL REFERENCES finding ON DELETE CASCADE,
    party_id    bigint REFERENCES party,
    account_id  bigint REFERENCES account,
    role        text,
    weight      double precision,
    CHECK (party_id IS NOT NULL OR account_id IS NOT NULL)
);
CREATE INDEX finding_member_finding_idx ON finding_member (finding_id);

CREATE TABLE audit_log (
    id             bigserial PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    db_role        text NOT NULL DEFAULT current_user,
    os_user        text,
    command        text NOT NULL,
    params         jsonb NOT NULL DEFAULT '{}',
    rows_affected  bigint,
    output_sha256  text,
    detail         jsonb
);
