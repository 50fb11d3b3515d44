#!/usr/bin/python3
"""check.py - compare a peer's per rep x month CSV with repwatch's rep_metrics.

usage: check.py REPWATCH.db PEER.csv [NAME]

Every (rep, month) row of rep_metrics (grain 'month') must match the peer's
row on each shared column: counts exactly, revenue, win_rate and
touch_gap_days within 1e-6 relative; NULL (empty in the CSV) only against
NULL.  A peer row missing for a rep-month repwatch has counts as 0 and
ratios as NULL.  Prints each mismatch (the first 20) and a summary; exit
status 0 when everything agrees, 1 otherwise.
"""
import csv
import math
import sqlite3
import sys

COUNTS = ["won", "lost", "calls", "emails", "meetings", "open_opps",
          "stale_opps"]
REALS = ["revenue", "win_rate", "touch_gap_days"]
ZERO_WHEN_MISSING = set(COUNTS) | {"revenue"}


def num(v):
    if v is None or v == "" or v == "NULL" or v == "null":
        return None
    f = float(v)
    return None if math.isnan(f) else f


def same(col, a, b):
    if a is None or b is None:
        return a is None and b is None
    if col in COUNTS:
        return a == b
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1e-300) or a == b


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: check.py REPWATCH.db PEER.csv [NAME]")
    name = sys.argv[3] if len(sys.argv) > 3 else sys.argv[2]
    cols = COUNTS + REALS
    db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
    ref = {}
    for row in db.execute("SELECT rep_id, period, %s FROM rep_metrics "
                          "WHERE grain = 'month'" % ", ".join(cols)):
        ref[(row[0], row[1])] = dict(zip(cols, row[2:]))
    peer = {}
    with open(sys.argv[2], newline="") as f:
        for r in csv.DictReader(f):
            peer[(r["rep_id"], r["period"])] = {c: num(r.get(c)) for c in cols}
    bad = 0
    values = 0
    for key in sorted(set(ref) | set(peer)):
        if key not in ref:
            bad += 1
            if bad <= 20:
                print("%s: %s %s: row not in repwatch" % (name, *key))
            continue
        p = peer.get(key, {})
        for c in cols:
            a = ref[key][c]
            b = p.get(c)
            if b is None and c in ZERO_WHEN_MISSING and key not in peer:
                b = 0.0
            values += 1
            if not same(c, None if a is None else float(a), b):
                bad += 1
                if bad <= 20:
                    print("%s: %s %s %s: repwatch %s, peer %s" %
                          (name, key[0], key[1], c, a, b))
    print("%s: %d rep-months, %d values compared, %d mismatches" %
          (name, len(ref), values, bad))
    return 1 if bad or not ref else 0


if __name__ == "__main__":
    sys.exit(main())
