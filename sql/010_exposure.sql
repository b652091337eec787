-- 010: the exposure of each vertex as an analysis run measured it, so that
-- a screening looks an account up instead of reading the flow graph
-- (docs/ARCHITECTURE.md, "Exposure for screening"). `iffa analyse` writes
-- the rows of a run in the transaction that marks it completed: every
-- vertex within reach of a source (hops >= 0) or with any exposure score.
-- A vertex is an account (account_id, with its owner in party_id) or a party
-- (party_id alone): at account level a party without accounts is its own
-- vertex, at party level an account without owner is. At account level the
-- accounts of a pooled party each have their row, with the pool's values.

CREATE TABLE vertex_exposure (
    run_id       bigint NOT NULL REFERENCES analysis_run ON DELETE CASCADE,
    level        text NOT NULL CHECK (level IN ('account', 'party')),
    account_id   bigint REFERENCES account,
    party_id     bigint REFERENCES party,   -- the vertex's party, or the account's owner
    way          text NOT NULL CHECK (way IN ('none', 'source', 'record_party',
                                              'proceeds', 'funding')),
    flagged      boolean NOT NULL,          -- the pass's own decision (its thresholds)
    score        double precision NOT NULL CHECK (score >= 0 AND score <= 1),
    taint        double precision NOT NULL,
    tainted_xof  double precision NOT NULL,
    funding      double precision NOT NULL,
    funding_xof  double precision NOT NULL,
    ppr_from     double precision NOT NULL, -- times |V|: 1 is the uniform share
    ppr_to       double precision NOT NULL,
    hops         integer NOT NULL CHECK (hops >= -1),   -- -1: no source within reach
    -- json, not jsonb: kept as written, so a screening reads it back as text
    -- without re-serialising it (a third of the look-up's time with jsonb)
    path         json NOT NULL DEFAULT '[]' CHECK (json_typeof(path) = 'array'),
    CHECK (account_id IS NOT NULL OR party_id IS NOT NULL)
);
CREATE UNIQUE INDEX vertex_exposure_account_idx ON vertex_exposure (run_id, account_id)
    WHERE account_id IS NOT NULL;
CREATE UNIQUE INDEX vertex_exposure_party_idx ON vertex_exposure (run_id, party_id)
    WHERE account_id IS NULL;

-- The analyst writes it with the run; screening and reports read it.
GRANT SELECT, INSERT ON vertex_exposure TO iffa_analyst;
GRANT SELECT ON vertex_exposure TO iffa_screener, iffa_reader;
-- A screening says which run its exposure came from and how old it is.
GRANT SELECT (id, status, level, started_at, finished_at, data_from, data_to, row_counts)
    ON analysis_run TO iffa_screener;
