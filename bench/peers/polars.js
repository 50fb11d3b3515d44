// polars.js - repwatch's month metrics with nodejs-polars' lazy API.
// usage: node polars.js DATA_DIR AS_OF OUT.csv
// Same definitions as README.md "How the numbers are computed" (see
// peers/duckdb.mjs); staleness on each evaluation day via joinAsof.
'use strict';
const pl = require('nodejs-polars');

const STALE_DAYS = 14;

const dayNum = (iso) => Math.round(Date.parse(iso + 'T00:00:00Z') / 86400000);
const day = (c) => pl.col(c).str.strptime(pl.Date, '%Y-%m-%d').cast(pl.Int32);
const month = (c) => pl.col(c).cast(pl.Date).dt.strftime('%Y-%m');

async function main() {
	// the month window shared with peers/duckdb.mjs (an ES module)
	const { monthWindow } = await import('./window.mjs');
	const [dir, asOf, out] = process.argv.slice(2);
	if (!dir || !/^\d{4}-\d{2}-\d{2}$/.test(asOf || '') || !out) {
		console.error('usage: node polars.js DATA_DIR AS_OF OUT.csv');
		process.exit(1);
	}
	const win = monthWindow(asOf);
	const A = dayNum(asOf), W0 = dayNum(win[0].start);
	const str = { inferSchemaLength: 0 };

	// owner: rep id, else e-mail, else name (both case-insensitive)
	const reps = pl.readCSV(dir + '/reps.csv', str);
	const ids = reps.select(pl.col('rep_id').alias('rid'));
	const seen = new Map();
	const col = (c) => (reps.columns.includes(c) ? reps.getColumn(c).toArray() : []);
	const rid = col('rep_id');
	for (const c of ['email', 'name'])
		col(c).forEach((v, i) => {
			const k = (v || '').trim().toLowerCase();
			if (k && !seen.has(k))
				seen.set(k, rid[i]);
		});
	const okey = pl.DataFrame({ k: [...seen.keys()], rk: [...seen.values()] });
	const resolve = (lf) => lf
		.withColumns(pl.col('owner').str.stripChars(' ').alias('own'))
		.withColumns(pl.col('own').str.toLowerCase().alias('ok'))
		.join(ids.lazy(), { leftOn: 'own', rightOn: 'rid', how: 'left', coalesce: false })
		.join(okey.lazy(), { leftOn: 'ok', rightOn: 'k', how: 'left' })
		.withColumns(pl.col('rid').fillNull(pl.col('rk')).alias('rep'));

	const ev = pl.DataFrame({
		period: win.map((w) => w.label),
		d: pl.Series('d', win.map((w) => dayNum(w.evalDay)), pl.Int32),
		s: pl.Series('s', win.map((w) => dayNum(w.start)), pl.Int32),
		l: pl.Series('l', win.map((w) => dayNum(w.last)), pl.Int32),
	});

	const o = resolve(pl.scanCSV(dir + '/opportunities.csv', str))
		.select(pl.col('opp_id'), pl.col('rep'), day('created').alias('cn'),
			pl.col('close_date').str.strptime(pl.Date, '%Y-%m-%d')
				.cast(pl.Int32).alias('clo'),
			pl.col('status').str.toLowerCase().alias('status'),
			pl.col('amount').cast(pl.Float64).alias('amount'))
		.filter(pl.col('cn').ltEq(A))
		.withColumns(pl.when(pl.col('status').isIn(['won', 'lost'])
				.and(pl.col('clo').ltEq(A)))
			.then(pl.col('clo')).otherwise(pl.lit(null)).cast(pl.Int32).alias('cd'))
		.withColumns(pl.col('cd').fillNull(A).alias('end'))
		.cache();

	const a = resolve(pl.scanCSV(dir + '/activities.csv', str))
		.select(pl.col('rep'), pl.col('opp_id'), day('date').alias('n'),
			pl.col('type').str.toLowerCase().alias('type'))
		.filter(pl.col('n').ltEq(A))
		.cache();

	const cnt = a.filter(pl.col('n').gtEq(W0))
		.withColumns(month('n').alias('period'))
		.groupBy(['rep', 'period'])
		.agg(pl.col('type').eq(pl.lit('call')).sum().alias('calls'),
			pl.col('type').eq(pl.lit('email')).sum().alias('emails'),
			pl.col('type').isIn(['meeting', 'demo']).sum().alias('meetings'));

	// touches: created day plus linked activities, up to the close day
	const linked = a.filter(pl.col('opp_id').isNotNull())
		.select('opp_id', 'n')
		.join(o.select('opp_id', 'rep', 'cn', 'end'), { on: 'opp_id' })
		.filter(pl.col('n').gtEq(pl.col('cn')).and(pl.col('n').ltEq(pl.col('end'))))
		.select('opp_id', 'rep', 'n');
	const t = pl.concat([linked,
		o.filter(pl.col('cn').ltEq(pl.col('end')))
			.select(pl.col('opp_id'), pl.col('rep'), pl.col('cn').alias('n'))])
		.unique({ subset: ['opp_id', 'n'] })
		.cache();

	const gap = t.sort(['opp_id', 'n'])
		.withColumns(pl.col('n').sub(pl.col('n').shift(1).over('opp_id')).alias('g'))
		.filter(pl.col('g').isNotNull().and(pl.col('n').gtEq(W0)))
		.withColumns(month('n').alias('period'))
		.groupBy(['rep', 'period'])
		.agg(pl.col('g').median().alias('touch_gap_days'));

	const flow = o.filter(pl.col('cd').isNotNull().and(pl.col('cd').gtEq(W0)))
		.withColumns(month('cd').alias('period'))
		.groupBy(['rep', 'period'])
		.agg(pl.col('status').eq(pl.lit('won')).sum().alias('won'),
			pl.col('status').eq(pl.lit('lost')).sum().alias('lost'),
			pl.when(pl.col('status').eq(pl.lit('won'))).then(pl.col('amount'))
				.otherwise(pl.lit(0.0)).sum().alias('revenue'));

	// open deals on each evaluation day, stale by their last touch
	const st = o.filter(pl.col('status').eq(pl.lit('open')).or(pl.col('clo').isNotNull()))
		.select('opp_id', 'rep', 'cn', 'cd')
		.join(ev.lazy(), { how: 'cross' })
		.filter(pl.col('cn').ltEq(pl.col('d'))
			.and(pl.col('cd').isNull().or(pl.col('cd').gt(pl.col('d')))))
		.sort('d')
		.joinAsof(t.select(pl.col('opp_id'), pl.col('n').alias('last')).sort('last'),
			{ leftOn: 'd', rightOn: 'last', by: 'opp_id', strategy: 'backward',
			  checkSortedness: false })
		.groupBy(['rep', 'period'])
		.agg(pl.len().alias('open_opps'),
			pl.col('d').sub(pl.col('last')).gt(STALE_DAYS).sum().alias('stale_opps'));

	const on = { leftOn: ['rep_id', 'period'], rightOn: ['rep', 'period'], how: 'left' };
	const counts = ['won', 'lost', 'calls', 'emails', 'meetings', 'open_opps', 'stale_opps'];
	// a month before the hire or after the end date is not the rep's: empty
	const date = (c) => (reps.columns.includes(c) ?
		pl.col(c).str.strptime(pl.Date, '%Y-%m-%d', false).cast(pl.Int32) :
		pl.lit(null).cast(pl.Int32));
	const mine = pl.col('hire').isNull().or(pl.col('l').gtEq(pl.col('hire')))
		.and(pl.col('leave').isNull().or(pl.col('s').ltEq(pl.col('leave'))));
	const values = [...counts, 'revenue', 'win_rate', 'touch_gap_days'];
	const res = reps.lazy().select(pl.col('rep_id'), date('hire_date').alias('hire'),
		date('end_date').alias('leave'))
		.join(ev.lazy().select('period', 's', 'l'), { how: 'cross' })
		.join(flow, on).join(cnt, on).join(st, on).join(gap, on)
		.withColumns(...counts.map((c) => pl.col(c).fillNull(0)),
			pl.col('revenue').fillNull(0.0))
		.withColumns(pl.when(pl.col('won').add(pl.col('lost')).gt(0))
			.then(pl.col('won').cast(pl.Float64)
				.div(pl.col('won').add(pl.col('lost'))))
			.otherwise(pl.lit(null)).alias('win_rate'))
		.withColumns(...values.map((c) => pl.when(mine).then(pl.col(c))
			.otherwise(pl.lit(null)).alias(c)))
		.select('rep_id', 'period', 'won', 'lost', 'win_rate', 'revenue', 'calls',
			'emails', 'meetings', 'open_opps', 'stale_opps', 'touch_gap_days')
		.sort(['rep_id', 'period'])
		.collectSync();
	res.writeCSV(out);
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
