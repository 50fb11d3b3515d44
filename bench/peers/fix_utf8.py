#!/usr/bin/python3
"""fix_utf8.py - make generated CSV files valid UTF-8, in place.

usage: fix_utf8.py DIR

build/rwgen gives rep i a middle initial byte 'A' + i / 24 - 1, which
leaves ASCII from rep 1536 on (24 first names x 64), so the L dataset's
reps.csv, and the owners that quote those names and e-mails, are not
UTF-8 and every UTF-8 CSV reader but repwatch's rejects them.  Each byte that is not part of a valid UTF-8 sequence is
replaced by the four ASCII characters \\xHH in all four files alike, which
keeps the names distinct and the owners resolvable.  Files that are
already valid are left alone.
"""
import os
import sys

FILES = ["reps.csv", "opportunities.csv", "activities.csv", "targets.csv"]


def fix(path):
    tmp = path + ".fix"
    changed = 0
    with open(path, "rb") as src, open(tmp, "wb") as dst:
        for line in src:
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                line = line.decode("utf-8", "backslashreplace").encode("utf-8")
                changed += 1
            dst.write(line)
    if changed:
        os.replace(tmp, path)
    else:
        os.unlink(tmp)
    return changed


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: fix_utf8.py DIR")
    d = sys.argv[1]
    try:
        with open(os.path.join(d, "reps.csv"), "rb") as f:
            f.read().decode("utf-8")
        return 0            # the owners come from reps.csv: all valid
    except UnicodeDecodeError:
        pass
    for name in FILES:
        p = os.path.join(d, name)
        if os.path.exists(p):
            n = fix(p)
            print("fix_utf8: %s: %d lines rewritten" % (p, n), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
