#!/bin/bash
# sqlite.sh - repwatch's month metrics with the sqlite3 CLI: .import --csv of
# the exports into an in-memory database, then SQL.  Same definitions as
# README.md "How the numbers are computed" (see peers/duckdb.mjs).
# usage: sqlite.sh DATA_DIR AS_OF OUT.csv
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: sqlite.sh DATA_DIR AS_OF OUT.csv" >&2; exit 1; }
dir=$1 asof=$2 out=$3
[[ $asof =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || { echo "bad AS_OF: $asof" >&2; exit 1; }
case "$dir$out" in *[\'\"\ ]*) echo "unsupported path: $dir, $out" >&2; exit 1 ;; esac
for f in reps opportunities activities; do
	[ -r "$dir/$f.csv" ] || { echo "missing $dir/$f.csv" >&2; exit 1; }
done

sqlite3 -bail <<EOF_SQL
PRAGMA temp_store = MEMORY;
.import --csv $dir/reps.csv reps
.import --csv $dir/opportunities.csv opps
.import --csv $dir/activities.csv acts
CREATE UNIQUE INDEX reps_id ON reps(rep_id);
-- owner: rep id, else e-mail, else name (both case-insensitive)
CREATE TABLE okey(k TEXT PRIMARY KEY, rep_id TEXT) WITHOUT ROWID;
INSERT OR IGNORE INTO okey SELECT lower(trim(email)), rep_id FROM reps WHERE email <> '';
INSERT OR IGNORE INTO okey SELECT lower(trim(name)), rep_id FROM reps;
CREATE TABLE ev AS WITH RECURSIVE m(k, s) AS (
    SELECT 0, date('$asof', 'start of month', '-12 months')
    UNION ALL SELECT k + 1, date(s, '+1 month') FROM m WHERE k < 12)
  SELECT substr(s, 1, 7) AS period, s, date(s, '+1 month', '-1 day') AS l,
         CASE WHEN k = 12 THEN '$asof' ELSE date(s, '+1 month', '-1 day') END AS d
  FROM m;
CREATE TABLE o AS
  SELECT opp_id,
         COALESCE((SELECT rep_id FROM reps WHERE rep_id = trim(x.owner)),
                  (SELECT rep_id FROM okey WHERE k = lower(trim(x.owner)))) AS rep,
         created, lower(status) AS status, close_date, CAST(amount AS REAL) AS amount,
         CASE WHEN lower(status) IN ('won', 'lost') AND close_date <> ''
                   AND close_date <= '$asof' THEN close_date END AS cd
  FROM opps x WHERE created <= '$asof';
CREATE UNIQUE INDEX o_id ON o(opp_id);
CREATE TABLE a AS
  SELECT COALESCE((SELECT rep_id FROM reps WHERE rep_id = trim(x.owner)),
                  (SELECT rep_id FROM okey WHERE k = lower(trim(x.owner)))) AS rep,
         CASE lower(type) WHEN 'demo' THEN 'meeting' ELSE lower(type) END AS type,
         date, NULLIF(opp_id, '') AS opp_id
  FROM acts x WHERE date <= '$asof';
CREATE TABLE cnt AS
  SELECT rep, substr(date, 1, 7) AS period,
         SUM(type = 'call') AS calls, SUM(type = 'email') AS emails,
         SUM(type = 'meeting') AS meetings
  FROM a WHERE date >= (SELECT MIN(period) FROM ev) || '-01' GROUP BY rep, period;
-- distinct touch days per deal: created plus linked activities, up to
-- the close day (or as_of)
CREATE TABLE t AS
  SELECT DISTINCT o.opp_id, o.rep, x.d, CAST(julianday(x.d) AS INTEGER) AS n
  FROM (SELECT opp_id, created AS d FROM o
        UNION ALL SELECT opp_id, date FROM a WHERE opp_id IS NOT NULL) x
  JOIN o ON o.opp_id = x.opp_id
  WHERE x.d >= o.created AND x.d <= COALESCE(o.cd, '$asof');
CREATE INDEX t_opp ON t(opp_id, d);
CREATE TABLE gap AS
  WITH g AS (SELECT rep, substr(d, 1, 7) AS period, d,
                    n - lag(n) OVER (PARTITION BY opp_id ORDER BY n) AS g FROM t),
       r AS (SELECT rep, period, g,
                    row_number() OVER (PARTITION BY rep, period ORDER BY g) AS i,
                    count(*) OVER (PARTITION BY rep, period) AS c
             FROM g WHERE g IS NOT NULL AND period >= (SELECT MIN(period) FROM ev))
  SELECT rep, period, AVG(g) AS touch_gap_days FROM r
  WHERE i IN ((c + 1) / 2, (c + 2) / 2) GROUP BY rep, period;
CREATE TABLE flow AS
  SELECT rep, substr(cd, 1, 7) AS period, SUM(status = 'won') AS won,
         SUM(status = 'lost') AS lost,
         TOTAL(CASE WHEN status = 'won' THEN amount END) AS revenue
  FROM o WHERE cd >= (SELECT MIN(period) FROM ev) || '-01' GROUP BY rep, period;
-- open deals on each evaluation day with their last touch on or before it
CREATE TABLE st AS
  SELECT rep, period, COUNT(*) AS open_opps,
         SUM(julianday(d) - julianday(last) > 14) AS stale_opps
  FROM (SELECT o.rep, ev.period, ev.d,
               (SELECT MAX(t.d) FROM t WHERE t.opp_id = o.opp_id AND t.d <= ev.d) AS last
        FROM o JOIN ev ON o.created <= ev.d AND (o.cd IS NULL OR o.cd > ev.d)
        WHERE o.status = 'open' OR o.close_date <> '')
  GROUP BY rep, period;
.headers on
.mode csv
.output $out
-- a month before the hire or after the end date is not the rep's: empty
SELECT r.rep_id, ev.period,
       CASE WHEN mine THEN COALESCE(f.won, 0) END AS won,
       CASE WHEN mine THEN COALESCE(f.lost, 0) END AS lost,
       CASE WHEN mine AND f.won + f.lost > 0 THEN 1.0 * f.won / (f.won + f.lost) END AS win_rate,
       CASE WHEN mine THEN COALESCE(f.revenue, 0) END AS revenue,
       CASE WHEN mine THEN COALESCE(c.calls, 0) END AS calls,
       CASE WHEN mine THEN COALESCE(c.emails, 0) END AS emails,
       CASE WHEN mine THEN COALESCE(c.meetings, 0) END AS meetings,
       CASE WHEN mine THEN COALESCE(s.open_opps, 0) END AS open_opps,
       CASE WHEN mine THEN COALESCE(s.stale_opps, 0) END AS stale_opps,
       CASE WHEN mine THEN g.touch_gap_days END AS touch_gap_days
FROM (SELECT reps.rep_id, ev.period AS p,
             (trim(hire_date) = '' OR ev.l >= trim(hire_date))
             AND (trim(end_date) = '' OR ev.s <= trim(end_date)) AS mine
      FROM reps CROSS JOIN ev) r
JOIN ev ON ev.period = r.p
LEFT JOIN flow f ON f.rep = r.rep_id AND f.period = ev.period
LEFT JOIN cnt c ON c.rep = r.rep_id AND c.period = ev.period
LEFT JOIN st s ON s.rep = r.rep_id AND s.period = ev.period
LEFT JOIN gap g ON g.rep = r.rep_id AND g.period = ev.period
ORDER BY r.rep_id, ev.period;
EOF_SQL
