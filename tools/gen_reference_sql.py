#!/usr/bin/env python3
"""Regenerate sql/002_reference_rows.sql from Debian's iso-codes package.

Run once when iso-codes changes; the output is committed, so building iffa
does not need Python. Migrations are append-only: a changed list goes into a
new migration, not into 002.
"""
import json
import sys

c = json.load(open('/usr/share/iso-codes/json/iso_3166-1.json'))['3166-1']
k = json.load(open('/usr/share/iso-codes/json/iso_4217.json'))['4217']


def q(s):
    return s.replace("'", "''")


out = sys.stdout
out.write("-- 002: ISO 3166-1 alpha-2 countries and ISO 4217 currencies, taken from\n"
          "-- Debian's iso-codes package (/usr/share/iso-codes/json) by\n"
          "-- tools/gen_reference_sql.py. XK (Kosovo, user-assigned) is added\n"
          "-- because lists and banks use it.\n\n")
out.write("INSERT INTO country (code, name) VALUES\n")
rows = [(x['alpha_2'], x['name']) for x in c] + [('XK', 'Kosovo')]
out.write(",\n".join("    ('%s', '%s')" % (a, q(b)) for a, b in sorted(rows)))
out.write(";\n\nINSERT INTO currency (code, name) VALUES\n")
out.write(",\n".join("    ('%s', '%s')" % (x['alpha_3'], q(x['name']))
                     for x in sorted(k, key=lambda x: x['alpha_3'])))
out.write(";\n")
