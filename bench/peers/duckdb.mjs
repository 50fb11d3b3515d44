// duckdb.mjs - repwatch's month metrics computed by DuckDB SQL from the CSVs.
// usage: node duckdb.mjs DATA_DIR AS_OF OUT.csv
// Definitions: README.md "How the numbers are computed" (touches per deal
// and day incl. the created day, clipped to close/as_of; stale on the
// evaluation day; median of an even count = mean of the middle two).
import { DuckDBInstance } from '@duckdb/node-api';
import { monthWindow } from './window.mjs';

const [dir, asOf, out] = process.argv.slice(2);
if (!dir || !/^\d{4}-\d{2}-\d{2}$/.test(asOf || '') || !out) {
	console.error('usage: node duckdb.mjs DATA_DIR AS_OF OUT.csv');
	process.exit(1);
}
const q = (s) => "'" + s.replace(/'/g, "''") + "'";
const win = monthWindow(asOf);
const A = `DATE '${asOf}'`, W0 = `DATE '${win[0].start}'`;
const ev = win.map((w) => `('${w.label}', DATE '${w.evalDay}', DATE '${w.start}', DATE '${w.last}')`).join(', ');

const sql = `
CREATE TABLE reps AS SELECT rep_id, email, name,
    TRY_CAST(NULLIF(trim(hire_date), '') AS DATE) AS hire,
    TRY_CAST(NULLIF(trim(end_date), '') AS DATE) AS leave
  FROM read_csv(${q(dir + '/reps.csv')}, header = true, all_varchar = true);
-- owner: rep id, else e-mail, else name (both case-insensitive)
CREATE TABLE okey AS SELECT k, arg_min(rep_id, pri) AS rep_id FROM (
  SELECT lower(trim(email)) AS k, rep_id, 1 AS pri FROM reps WHERE email IS NOT NULL
  UNION ALL SELECT lower(trim(name)), rep_id, 2 FROM reps) GROUP BY k;
CREATE TABLE ev AS SELECT * FROM (VALUES ${ev}) t(period, d, s, l);
CREATE TABLE o AS
  SELECT x.opp_id, COALESCE(r.rep_id, k.rep_id) AS rep, x.created, x.close_date,
         lower(x.status) AS status, x.amount,
         CASE WHEN lower(x.status) IN ('won', 'lost') AND x.close_date <= ${A}
              THEN x.close_date END AS cd
  FROM read_csv(${q(dir + '/opportunities.csv')}, header = true,
       types = {'created': 'DATE', 'close_date': 'DATE', 'amount': 'DOUBLE'}) x
  LEFT JOIN reps r ON r.rep_id = trim(x.owner)
  LEFT JOIN okey k ON k.k = lower(trim(x.owner))
  WHERE x.created <= ${A};
CREATE TABLE a AS
  SELECT COALESCE(r.rep_id, k.rep_id) AS rep,
         CASE lower(x.type) WHEN 'demo' THEN 'meeting' ELSE lower(x.type) END AS type,
         x.date, x.opp_id
  FROM read_csv(${q(dir + '/activities.csv')}, header = true,
       columns = {'activity_id': 'VARCHAR', 'owner': 'VARCHAR', 'type': 'VARCHAR',
                  'date': 'DATE', 'opp_id': 'VARCHAR', 'subject': 'VARCHAR'}) x
  LEFT JOIN reps r ON r.rep_id = trim(x.owner)
  LEFT JOIN okey k ON k.k = lower(trim(x.owner))
  WHERE x.date <= ${A};
CREATE TABLE cnt AS
  SELECT rep, strftime(date, '%Y-%m') AS period,
         count(*) FILTER (WHERE type = 'call') AS calls,
         count(*) FILTER (WHERE type = 'email') AS emails,
         count(*) FILTER (WHERE type = 'meeting') AS meetings
  FROM a WHERE date >= ${W0} GROUP BY ALL;
-- distinct touch days per deal: created plus linked activities, up to
-- the close day (or as_of)
CREATE TABLE t AS
  SELECT DISTINCT o.opp_id, o.rep, x.d
  FROM (SELECT opp_id, created AS d FROM o
        UNION ALL SELECT opp_id, date FROM a WHERE opp_id IS NOT NULL) x
  JOIN o USING (opp_id)
  WHERE x.d >= o.created AND x.d <= COALESCE(o.cd, ${A});
CREATE TABLE gap AS
  SELECT rep, strftime(d, '%Y-%m') AS period, median(g) AS touch_gap_days
  FROM (SELECT rep, d, d - lag(d) OVER (PARTITION BY opp_id ORDER BY d) AS g FROM t)
  WHERE g IS NOT NULL AND d >= ${W0} GROUP BY ALL;
CREATE TABLE flow AS
  SELECT rep, strftime(cd, '%Y-%m') AS period,
         count(*) FILTER (WHERE status = 'won') AS won,
         count(*) FILTER (WHERE status = 'lost') AS lost,
         COALESCE(sum(amount) FILTER (WHERE status = 'won'), 0) AS revenue
  FROM o WHERE cd >= ${W0} GROUP BY ALL;
-- open deals on each evaluation day with their last touch on or before it
CREATE TABLE st AS
  SELECT rep, period, count(*) AS open_opps,
         count(*) FILTER (WHERE d - last > 14) AS stale_opps
  FROM (SELECT o.rep, ev.period, ev.d, o.opp_id, max(t.d) AS last
        FROM o JOIN ev ON o.created <= ev.d AND (o.cd IS NULL OR o.cd > ev.d)
        JOIN t ON t.opp_id = o.opp_id AND t.d <= ev.d
        WHERE o.status = 'open' OR o.close_date IS NOT NULL
        GROUP BY ALL)
  GROUP BY ALL;
-- a month before the hire or after the end date is not the rep's: empty
CREATE TABLE result AS
  SELECT r.rep_id, ev.period,
         CASE WHEN mine THEN COALESCE(f.won, 0) END AS won,
         CASE WHEN mine THEN COALESCE(f.lost, 0) END AS lost,
         CASE WHEN mine AND f.won + f.lost > 0 THEN f.won / (f.won + f.lost) END AS win_rate,
         CASE WHEN mine THEN COALESCE(f.revenue, 0) END AS revenue,
         CASE WHEN mine THEN COALESCE(c.calls, 0) END AS calls,
         CASE WHEN mine THEN COALESCE(c.emails, 0) END AS emails,
         CASE WHEN mine THEN COALESCE(c.meetings, 0) END AS meetings,
         CASE WHEN mine THEN COALESCE(s.open_opps, 0) END AS open_opps,
         CASE WHEN mine THEN COALESCE(s.stale_opps, 0) END AS stale_opps,
         CASE WHEN mine THEN g.touch_gap_days END AS touch_gap_days
  FROM (SELECT reps.*, ev.period AS p,
               (hire IS NULL OR ev.l >= hire) AND (leave IS NULL OR ev.s <= leave) AS mine
        FROM reps CROSS JOIN ev) r
  JOIN ev ON ev.period = r.p
  LEFT JOIN flow f ON f.rep = r.rep_id AND f.period = ev.period
  LEFT JOIN cnt c ON c.rep = r.rep_id AND c.period = ev.period
  LEFT JOIN st s ON s.rep = r.rep_id AND s.period = ev.period
  LEFT JOIN gap g ON g.rep = r.rep_id AND g.period = ev.period;
`;

const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
await con.run(sql);
await con.run(`COPY (SELECT * FROM result ORDER BY rep_id, period) TO ${q(out)} (HEADER, DELIMITER ',')`);
