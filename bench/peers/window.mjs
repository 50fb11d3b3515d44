// window.mjs - the 13 month periods ending with the month of as_of: their
// first and last days and evaluation days (month end, as_of for the
// partial month).
export function monthWindow(asOf, history = 12) {
	const [y, m] = asOf.split('-').map(Number);
	const out = [];
	for (let k = history; k >= 0; k--) {
		let mi = y * 12 + (m - 1) - k;
		const yy = Math.floor(mi / 12), mm = mi % 12 + 1;
		const label = `${yy}-${String(mm).padStart(2, '0')}`;
		const last = new Date(Date.UTC(yy, mm, 0)).toISOString().slice(0, 10);
		out.push({ label, start: `${label}-01`, last, evalDay: k ? last : asOf });
	}
	return out;
}
