#!/usr/bin/python3
"""pandas_peer.py - repwatch's month metrics computed with pandas.

usage: pandas_peer.py DATA_DIR AS_OF OUT.csv

Same definitions as README.md "How the numbers are computed" (see
peers/duckdb.mjs): touches are distinct deal-days including the created
day, up to the close day or as_of; staleness on each evaluation day (month
end, as_of for the partial month) via merge_asof.
"""
import sys

import numpy as np
import pandas as pd

HISTORY = 12
STALE_DAYS = 14


def days(s):
    """ISO date strings -> days since 1970-01-01 (float, NaN when empty)."""
    d = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    return (d.values.astype("datetime64[D]").astype("int64")
            .astype("float64")) * np.where(d.isna(), np.nan, 1.0)


def month_of(d):
    """days since epoch (int array) -> months since 1970-01."""
    return d.astype("int64").astype("datetime64[D]").astype(
        "datetime64[M]").astype("int64")


def owner_map(reps, owners):
    ids = set(reps.rep_id)
    key = {}
    for col in ("email", "name"):
        if col in reps:
            for k, r in zip(reps[col].str.strip().str.lower(), reps.rep_id):
                if k and k not in key:
                    key[k] = r
    m = {}
    for o in pd.unique(owners):
        t = o.strip() if isinstance(o, str) else ""
        m[o] = t if t in ids else key.get(t.lower())
    return owners.map(m)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: pandas_peer.py DATA_DIR AS_OF OUT.csv")
    d, as_of, out = sys.argv[1:]
    A = int(np.datetime64(as_of, "D").astype("int64"))
    m_end = int(np.datetime64(as_of, "M").astype("int64"))
    m0 = m_end - HISTORY
    months = np.arange(m0, m_end + 1)
    ev_day = (months + 1).astype("datetime64[M]").astype(
        "datetime64[D]").astype("int64") - 1
    ev_day[-1] = A
    ev = pd.DataFrame({"mi": months, "d": ev_day.astype("float64")})

    reps = pd.read_csv(d + "/reps.csv", dtype=str, keep_default_na=False)
    o = pd.read_csv(d + "/opportunities.csv", dtype=str, keep_default_na=False,
                    usecols=["opp_id", "owner", "created", "close_date",
                             "status", "amount"])
    o["rep"] = owner_map(reps, o.owner)
    o["created"] = days(o.created)
    o = o[o.created <= A].copy()
    o["status"] = o.status.str.lower()
    o["close"] = days(o.close_date)
    o["amount"] = o.amount.astype(float)
    closed = o.status.isin(["won", "lost"]) & (o.close <= A)
    o["cd"] = o.close.where(closed)
    o["end"] = o.cd.fillna(A)

    a = pd.read_csv(d + "/activities.csv", dtype=str, keep_default_na=False,
                    usecols=["owner", "type", "date", "opp_id"])
    a["d"] = days(a.date)
    a = a[a.d <= A]
    a_rep = owner_map(reps, a.owner)
    typ = a.type.str.lower().replace("demo", "meeting")

    # activity counts by the activity's owner and month
    mi = month_of(a.d.values)
    cnt = pd.DataFrame({"rep": a_rep.values, "mi": mi, "type": typ.values})
    cnt = cnt[cnt.mi >= m0]
    cnt = cnt.groupby(["rep", "mi", "type"]).size().unstack(fill_value=0)
    cnt = cnt.reindex(columns=["call", "email", "meeting"], fill_value=0)
    cnt.columns = ["calls", "emails", "meetings"]

    # touches: created day plus linked activities, up to the close day
    la = pd.DataFrame({"opp_id": a.opp_id.values, "d": a.d.values})
    la = la[la.opp_id != ""].merge(o[["opp_id", "rep", "created", "end"]],
                                   on="opp_id")
    la = la[(la.d >= la.created) & (la.d <= la.end)]
    cr = o.loc[o.created <= o.end, ["opp_id", "rep", "created"]]
    t = pd.concat([la[["opp_id", "rep", "d"]],
                   cr.rename(columns={"created": "d"})], ignore_index=True)
    t = t.drop_duplicates(["opp_id", "d"]).sort_values(["opp_id", "d"])
    g = t.d.diff().where(t.opp_id.eq(t.opp_id.shift()))
    t["mi"] = month_of(t.d.values)
    gap = pd.DataFrame({"rep": t.rep, "mi": t.mi, "g": g}).dropna()
    gap = gap[gap.mi >= m0].groupby(["rep", "mi"]).g.median()
    gap.name = "touch_gap_days"

    # won, lost, revenue by close month
    c = o[o.cd.notna()].copy()
    c["mi"] = month_of(c.cd.values)
    c = c[c.mi >= m0]
    c["won"] = (c.status == "won").astype(int)
    c["lost"] = (c.status == "lost").astype(int)
    c["revenue"] = c.amount.where(c.status == "won", 0.0)
    flow = c.groupby(["rep", "mi"])[["won", "lost", "revenue"]].sum()

    # open deals on each evaluation day, stale by their last touch
    op = o[(o.status == "open") | o.close.notna()][["opp_id", "rep",
                                                     "created", "cd"]]
    op = op.merge(ev, how="cross")
    op = op[(op.created <= op.d) & (op.cd.isna() | (op.cd > op.d))]
    op = op.sort_values("d")
    tt = t[["opp_id", "d"]].rename(columns={"d": "last"}).sort_values("last")
    op = pd.merge_asof(op, tt, left_on="d", right_on="last", by="opp_id",
                       direction="backward")
    op["stale"] = (op.d - op["last"] > STALE_DAYS).astype(int)
    st = op.groupby(["rep", "mi"]).agg(open_opps=("opp_id", "size"),
                                       stale_opps=("stale", "sum"))

    idx = pd.MultiIndex.from_product([reps.rep_id, months], names=["rep", "mi"])
    res = pd.concat([flow, cnt, st, gap], axis=1).reindex(idx)
    for col in ["won", "lost", "calls", "emails", "meetings", "open_opps",
                "stale_opps"]:
        res[col] = res[col].fillna(0).astype("int64")
    res["revenue"] = res.revenue.fillna(0.0)
    closed_n = res.won + res.lost
    res["win_rate"] = (res.won / closed_n).where(closed_n > 0)
    res = res.reset_index()
    # a month before the hire or after the end date is not the rep's: empty
    hire = dict(zip(reps.rep_id, days(reps.get("hire_date", pd.Series("", index=reps.index)))))
    leave = dict(zip(reps.rep_id, days(reps.get("end_date", pd.Series("", index=reps.index)))))
    first = (res.mi.values.astype("datetime64[M]").astype("datetime64[D]")
             .astype("int64"))
    last = ((res.mi.values + 1).astype("datetime64[M]").astype("datetime64[D]")
            .astype("int64") - 1)
    h = res.rep.map(hire).values
    e = res.rep.map(leave).values
    mine = ~((~np.isnan(h) & (last < h)) | (~np.isnan(e) & (first > e)))
    cols = ["won", "lost", "win_rate", "revenue", "calls", "emails", "meetings",
            "open_opps", "stale_opps", "touch_gap_days"]
    for col in cols:
        res[col] = res[col].astype("float64").where(mine)
    for col in ["won", "lost", "calls", "emails", "meetings", "open_opps",
                "stale_opps"]:
        res[col] = res[col].astype("Int64")
    res["period"] = res.mi.astype("datetime64[M]").dt.strftime("%Y-%m")
    res = res.rename(columns={"rep": "rep_id"})
    res[["rep_id", "period", "won", "lost", "win_rate", "revenue", "calls",
         "emails", "meetings", "open_opps", "stale_opps",
         "touch_gap_days"]].to_csv(out, index=False)


if __name__ == "__main__":
    main()
