-- 001: reference tables the loaders validate against: ISO 3166-1 countries
-- and ISO 4217 currencies (rows in 002), and the zones the analyst marks as
-- affected by the armed group's presence.

CREATE TABLE country (
    code  char(2) PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'),
    name  text NOT NULL
);

CREATE TABLE currency (
    code  char(3) PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    name  text NOT NULL
);

-- Regions (administrative region or cercle) under the group's control or
-- levy. Analysis passes weight gold and levies from these zones.
CREATE TABLE affected_zone (
    country  char(2) NOT NULL REFERENCES country,
    region   text NOT NULL,
    since    date,
    note     text,
    PRIMARY KEY (country, region)
);
