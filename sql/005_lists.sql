-- 005: sanctions lists as imported by `iffa lists import`, with their
-- history. A list (the UN consolidated list, a national list) is imported
-- again and again; every import is a list_version, and every entry added,
-- changed, removed or re-listed by it is a list_change row that keeps the
-- entry's whole content before and after. Nothing is overwritten without
-- its old state being kept there.
--
-- list_entry holds the current state of each entry ever seen on a list
-- (removed_in tells when it left); list_entry_name, list_entry_dob and
-- list_entry_country are its names, dates of birth and countries in
-- queryable form, replaced with the entry when it changes (the old ones
-- stay in list_change.before). The screening index is built from these.
--
-- The `designation` table of 003 keeps its role: an analyst's (or a
-- loader's) tie of one list entry to one party of the flow graph, which
-- the exposure passes read. It is matched to list_entry by (list_name,
-- reference); the view designation_status tells for each designation
-- whether its entry is still on the imported list.

CREATE TABLE sanctions_list (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$'),
    format      text NOT NULL CHECK (format IN ('un-xml', 'ftm', 'csv')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE list_version (
    id            bigserial PRIMARY KEY,
    list_id       bigint NOT NULL REFERENCES sanctions_list,
    seq           integer NOT NULL CHECK (seq >= 1),   -- 1, 2, ... per list
    published_at  timestamptz,      -- the file's own date (UN dateGenerated)
    imported_at   timestamptz NOT NULL DEFAULT now(),
    file_name     text NOT NULL,
    file_sha256   text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    entries       integer NOT NULL CHECK (entries >= 0),
    added         integer NOT NULL DEFAULT 0,
    changed       integer NOT NULL DEFAULT 0,
    removed       integer NOT NULL DEFAULT 0,
    restored      integer NOT NULL DEFAULT 0,
    db_role       text NOT NULL DEFAULT current_user,
    os_user       text,
    UNIQUE (list_id, seq)
);

CREATE TABLE list_entry (
    id              bigserial PRIMARY KEY,
    list_id         bigint NOT NULL REFERENCES sanctions_list,
    reference       text NOT NULL CHECK (reference <> ''),   -- QDe.159
    entry_kind      text NOT NULL CHECK (entry_kind IN
                        ('individual', 'entity', 'vessel', 'aircraft')),
    name            text NOT NULL CHECK (name <> ''),        -- primary name
    listed_on       date,
    program         text,                                    -- UN_LIST_TYPE, ...
    data            jsonb NOT NULL,     -- the whole entry as imported
    content_sha256  text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
    first_version   bigint NOT NULL REFERENCES list_version,
    last_version    bigint NOT NULL REFERENCES list_version, -- last seen in
    removed_in      bigint REFERENCES list_version,          -- NULL: listed now
    UNIQUE (list_id, reference)
);
CREATE INDEX list_entry_current_idx ON list_entry (list_id) WHERE removed_in IS NULL;

CREATE TABLE list_entry_name (
    entry_id  bigint NOT NULL REFERENCES list_entry ON DELETE CASCADE,
    seq       integer NOT NULL,
    name      text NOT NULL CHECK (name <> ''),
    kind      text NOT NULL CHECK (kind IN ('primary', 'alias', 'original_script')),
    quality   text CHECK (quality IN ('good', 'low', 'aka', 'fka')),
    PRIMARY KEY (entry_id, seq)
);

-- A date of birth as lists give it: an exact date, a year, or a range of
-- years; `approximate` when the list says so.
CREATE TABLE list_entry_dob (
    entry_id     bigint NOT NULL REFERENCES list_entry ON DELETE CASCADE,
    seq          integer NOT NULL,
    exact_date   date,
    from_year    integer NOT NULL CHECK (from_year BETWEEN 1800 AND 2200),
    to_year      integer NOT NULL CHECK (to_year >= from_year AND to_year <= 2200),
    approximate  boolean NOT NULL DEFAULT false,
    PRIMARY KEY (entry_id, seq),
    CHECK (exact_date IS NULL OR (extract(year FROM exact_date) = from_year
                                  AND from_year = to_year))
);

-- Countries tied to an entry: nationality, country of birth, of address.
-- `text` is what the list wrote; `country` the ISO code iffa read in it,
-- NULL when it could not tell (e.g. "USSR (until 1991)").
CREATE TABLE list_entry_country (
    entry_id  bigint NOT NULL REFERENCES list_entry ON DELETE CASCADE,
    seq       integer NOT NULL,
    role      text NOT NULL CHECK (role IN ('nationality', 'birth', 'address')),
    text      text NOT NULL,
    country   char(2) REFERENCES country,
    PRIMARY KEY (entry_id, seq)
);

CREATE TABLE list_change (
    id          bigserial PRIMARY KEY,
    version_id  bigint NOT NULL REFERENCES list_version,
    entry_id    bigint NOT NULL REFERENCES list_entry,
    change      text NOT NULL CHECK (change IN ('added', 'changed', 'removed', 'restored')),
    before      jsonb,                  -- entry data before; NULL when added
    after       jsonb,                  -- entry data after; NULL when removed
    CHECK ((change = 'added') = (before IS NULL)),
    CHECK ((change = 'removed') = (after IS NULL))
);
CREATE INDEX list_change_version_idx ON list_change (version_id);
CREATE INDEX list_change_entry_idx ON list_change (entry_id);

CREATE VIEW designation_status AS
SELECT d.id AS designation_id, d.list_name, d.reference, d.party_id,
       e.id AS list_entry_id,
       CASE WHEN e.id IS NULL THEN 'not_imported'
            WHEN e.removed_in IS NULL THEN 'listed'
            ELSE 'removed' END AS status
FROM designation d
LEFT JOIN sanctions_list l ON l.name = d.list_name
LEFT JOIN list_entry e ON e.list_id = l.id AND e.reference = d.reference;
