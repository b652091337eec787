-- 012: exposure paths stored compactly (docs/ARCHITECTURE.md, "Exposure for
-- screening"). A run's paths share most of their edges, and each stored
-- path used to repeat every edge as a JSON object with its names (about
-- 1 KB a row): writing them was most of the analysis's time. Now each
-- distinct edge on any stored path of a run is one row of exposure_edge,
-- numbered within the run, and a vertex's path is the ordered array of
-- those numbers (vertex_exposure.path_edges). Names are not stored: a
-- screening joins account and party when it rebuilds the path.
--
-- Rows of runs before this migration keep their json `path` and no
-- path_edges; `iffa analyse` now writes path_edges and a null `path`.

CREATE TABLE exposure_edge (
    run_id          bigint NOT NULL REFERENCES analysis_run ON DELETE CASCADE,
    edge            integer NOT NULL CHECK (edge >= 0),  -- the number paths use
    -- An end is an account (account_id, with its owner in party_id) or a
    -- party (party_id alone), as in vertex_exposure. No foreign keys: a
    -- screening falls back to "account <id>" for a row it cannot join,
    -- as the analysis did for a vertex without a name.
    from_account_id bigint,
    from_party_id   bigint,
    to_account_id   bigint,
    to_party_id     bigint,
    amount_xof      numeric NOT NULL,   -- as shown: two decimals
    flows           bigint NOT NULL CHECK (flows >= 0),
    first_ts        timestamptz,        -- null: outside years 1 to 9999
    last_ts         timestamptz,
    channel         text NOT NULL,
    kind            text NOT NULL,
    record_id       bigint,             -- the one record of a one-flow edge
    records         bigint[],           -- a merged transfer edge: its first 100 records by (ts, id)
    PRIMARY KEY (run_id, edge),
    CHECK (from_account_id IS NOT NULL OR from_party_id IS NOT NULL),
    CHECK (to_account_id IS NOT NULL OR to_party_id IS NOT NULL)
);

-- The path as edge numbers, in money order; `path` stays for the rows of
-- earlier runs (a row that gives neither still has the empty path).
-- NOT VALID: the rows already there are of that kind.
ALTER TABLE vertex_exposure ADD COLUMN path_edges integer[];
ALTER TABLE vertex_exposure ALTER COLUMN path DROP NOT NULL;
ALTER TABLE vertex_exposure ADD CONSTRAINT vertex_exposure_path_or_edges
    CHECK (path IS NOT NULL OR path_edges IS NOT NULL) NOT VALID;

-- No per-row foreign-key checks: the ids come from the run's own snapshot
-- of account and party, and checking each row against them was half the
-- server's time of storing a run (1.7 s of 2.9 s for 121,464 rows). A
-- screening finds the row from the account it looked up, never the reverse.
ALTER TABLE vertex_exposure DROP CONSTRAINT IF EXISTS vertex_exposure_account_id_fkey,
    DROP CONSTRAINT IF EXISTS vertex_exposure_party_id_fkey;

-- The analyst writes it with the run; screening and reports read it.
GRANT SELECT, INSERT ON exposure_edge TO iffa_analyst;
GRANT SELECT ON exposure_edge TO iffa_screener, iffa_reader;
