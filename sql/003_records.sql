-- 003: the records iffa loads. Every record says which FIU supplied it
-- (supplier), which source system it came from (source) and its reference
-- there; loading the same record twice adds nothing. Every record also
-- names the load batch that brought it in.

CREATE TABLE load_batch (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL,
    file_name     text NOT NULL,
    file_sha256   text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    rows_read     bigint NOT NULL DEFAULT 0,
    rows_loaded   bigint NOT NULL DEFAULT 0,
    rows_duplicate bigint NOT NULL DEFAULT 0,
    rows_rejected bigint NOT NULL DEFAULT 0,
    db_role       text NOT NULL DEFAULT current_user,
    os_user       text
);

CREATE TABLE party (
    id           bigserial PRIMARY KEY,
    ref          text NOT NULL UNIQUE,      -- key other files use to name it
    kind         text NOT NULL CHECK (kind IN (
                     'person', 'organisation', 'company', 'armed_group',
                     'village', 'mine_site', 'collector', 'comptoir',
                     'exporter', 'refinery')),
    name         text NOT NULL CHECK (name <> ''),
    aliases      text[] NOT NULL DEFAULT '{}',
    country      char(2) REFERENCES country,
    region       text,                      -- region or cercle, for zones
    supplier     char(2) NOT NULL REFERENCES country,
    source       text NOT NULL,
    load_id      bigint REFERENCES load_batch,
    UNIQUE (source, ref)
);

CREATE TABLE account (
    id           bigserial PRIMARY KEY,
    ref          text NOT NULL UNIQUE,      -- IBAN, MSISDN, wallet, ...
    party_id     bigint REFERENCES party,
    kind         text NOT NULL CHECK (kind IN (
                     'bank', 'mobile_money', 'hawala', 'crypto', 'cash')),
    institution  text,
    country      char(2) NOT NULL REFERENCES country,
    supplier     char(2) NOT NULL REFERENCES country,
    source       text NOT NULL,
    load_id      bigint REFERENCES load_batch,
    UNIQUE (source, ref)
);
CREATE INDEX account_party_idx ON account (party_id);

-- Money moved between two accounts. Partitioned by month of ts; partitions
-- are created by iffa_ensure_transfer_partitions() before a load writes.
-- A unique key on a partitioned table must hold the partition key, so
-- (source, source_ref, ts) is unique here and the loader refuses a known
-- (source, source_ref) that arrives with another time; the index of that
-- key also serves look-ups by (source, source_ref) alone.
--
-- transfer is the bulk table (millions of rows), and every foreign key
-- costs a trigger call per inserted row. currency and supplier therefore
-- carry only a format check here, not a foreign key: against those two
-- small tables PostgreSQL plans the per-row check as a sequential scan, and
-- the two keys took 45 of 85 seconds of a 1,000,000-row load. The loader
-- checks both codes against the currency and country tables, which remain
-- the single source of truth.
CREATE TABLE transfer (
    id           bigint GENERATED ALWAYS AS IDENTITY,
    from_account bigint NOT NULL REFERENCES account,
    to_account   bigint NOT NULL REFERENCES account,
    amount       numeric(20, 4) NOT NULL CHECK (amount > 0),
    currency     char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    ts           timestamptz NOT NULL,
    channel      text NOT NULL CHECK (channel IN (
                     'bank', 'mobile_money', 'hawala', 'cash', 'crypto')),
    purpose      text,
    supplier     char(2) NOT NULL CHECK (supplier ~ '^[A-Z]{2}$'),
    source       text NOT NULL,
    source_ref   text NOT NULL,
    load_id      bigint REFERENCES load_batch,
    PRIMARY KEY (id, ts),
    UNIQUE (source, source_ref, ts),
    CHECK (from_account <> to_account)
) PARTITION BY RANGE (ts);

CREATE FUNCTION iffa_ensure_transfer_partitions(lo timestamptz, hi timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
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
            made := made + 1;
        END IF;
        m := (m + interval '1 month')::date;
    END LOOP;
    RETURN made;
END $$;

-- A ransom: paid by a payer, carried through intermediaries (in order) to
-- the recipient (usually the armed group or its agent).
CREATE TABLE ransom (
    id               bigserial PRIMARY KEY,
    incident_place   text,
    incident_country char(2) REFERENCES country,
    incident_date    date,
    payer            bigint NOT NULL REFERENCES party,
    recipient        bigint NOT NULL REFERENCES party,
    amount           numeric(20, 4) NOT NULL CHECK (amount > 0),
    currency         char(3) NOT NULL REFERENCES currency,
    paid_at          timestamptz NOT NULL,
    supplier         char(2) NOT NULL REFERENCES country,
    source           text NOT NULL,
    source_ref       text NOT NULL,
    load_id          bigint REFERENCES load_batch,
    UNIQUE (source, source_ref)
);

CREATE TABLE ransom_leg (
    ransom_id  bigint NOT NULL REFERENCES ransom ON DELETE CASCADE,
    seq        integer NOT NULL CHECK (seq >= 1),
    party_id   bigint NOT NULL REFERENCES party,
    role       text NOT NULL CHECK (role IN ('negotiator', 'courier', 'intermediary')),
    PRIMARY KEY (ransom_id, seq)
);

-- A lot of gold sold by seller to buyer. The gold moves seller -> buyer and
-- the money (value) moves buyer -> seller; both directions are kept
-- explicit by the names. from/to_country say which border the lot crossed,
-- equal when it stayed inside one country.
CREATE TABLE gold_lot (
    id            bigserial PRIMARY KEY,
    origin_site   bigint REFERENCES party,   -- mine site the gold came from
    seller        bigint NOT NULL REFERENCES party,
    buyer         bigint NOT NULL REFERENCES party,
    grams         numeric(14, 3) NOT NULL CHECK (grams > 0),
    fineness      numeric(5, 4) NOT NULL CHECK (fineness > 0 AND fineness <= 1),
    value         numeric(20, 4) NOT NULL CHECK (value > 0),
    currency      char(3) NOT NULL REFERENCES currency,
    traded_at     timestamptz NOT NULL,
    from_country  char(2) NOT NULL REFERENCES country,
    to_country    char(2) NOT NULL REFERENCES country,
    supplier      char(2) NOT NULL REFERENCES country,
    source        text NOT NULL,
    source_ref    text NOT NULL,
    load_id       bigint REFERENCES load_batch,
    UNIQUE (source, source_ref),
    CHECK (seller <> buyer)
);

-- A levy ("zakat", mine levy, road toll) paid by a village, mine site or
-- trader to a collector of the armed group.
CREATE TABLE levy (
    id          bigserial PRIMARY KEY,
    payer       bigint NOT NULL REFERENCES party,
    collector   bigint NOT NULL REFERENCES party,
    levy_kind   text NOT NULL CHECK (levy_kind IN ('zakat', 'mine_levy', 'road_toll', 'other')),
    amount      numeric(20, 4) NOT NULL CHECK (amount > 0),
    currency    char(3) NOT NULL REFERENCES currency,
    levied_at   timestamptz NOT NULL,
    place       text,
    country     char(2) REFERENCES country,
    supplier    char(2) NOT NULL REFERENCES country,
    source      text NOT NULL,
    source_ref  text NOT NULL,
    load_id     bigint REFERENCES load_batch,
    UNIQUE (source, source_ref),
    CHECK (payer <> collector)
);

-- An entry of a sanctions list, linked to a party when the analyst (or a
-- matcher) has tied it to one.
CREATE TABLE designation (
    id          bigserial PRIMARY KEY,
    list_name   text NOT NULL,              -- UN, OFAC, EU, national list
    reference   text NOT NULL,              -- e.g. QDe.159
    entry_kind  text NOT NULL CHECK (entry_kind IN ('individual', 'entity')),
    name        text NOT NULL CHECK (name <> ''),
    aliases     text[] NOT NULL DEFAULT '{}',
    listed_on   date,
    party_id    bigint REFERENCES party,
    source      text NOT NULL,
    load_id     bigint REFERENCES load_batch,
    UNIQUE (list_name, reference)
);
CREATE INDEX designation_party_idx ON designation (party_id);

-- Exchange rates to the West African CFA franc (XOF), the unit of every
-- amount in the flow graph: one unit of currency is worth xof_per_unit XOF
-- from valid_from until the next row of the same currency.
CREATE TABLE fx_rate (
    currency      char(3) NOT NULL REFERENCES currency,
    valid_from    date NOT NULL,
    xof_per_unit  numeric(20, 8) NOT NULL CHECK (xof_per_unit > 0),
    source        text NOT NULL,
    load_id       bigint REFERENCES load_batch,
    PRIMARY KEY (currency, valid_from)
);
