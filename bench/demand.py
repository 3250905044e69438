"""Benchmark: the children's demand model at scale, against a plain pandas implementation.

    .venv/bin/python bench/demand.py [--children 10000] [--years 10] [--resamples 1000]

Generates (deterministically) ten years of SSDA903-like episodes for 10,000 children; then, with
carestat.analytics.demand, builds each child's weekly state over the ten years, estimates the
weekly transition and entry rates over the last three years, and projects five years with 1,000
resamples of children for the 95% interval. Then does the same with plain pandas (states by
exploding episodes into weeks, rates by group-by counts, resamples by weighting per-child counts,
the projection by DataFrame.dot), from the same records with the same random draws, checks that
the two give the same projection and interval, and prints times, peak memory (tracemalloc, and
the process's ru_maxrss) and the ratio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from carestat.analytics import demand as d  # noqa: E402

PLACES = ["U4", "U1", "K2", "R1", "H5", "P1", "Z1"]
PLACE_P = [0.45, 0.15, 0.08, 0.04, 0.08, 0.06, 0.14]


def generate(n_children: int, years: int, seed: int = 2026):
    """Children (key, birth_ym) and episodes (key, DECOM, DEC, LS, PLACE, PLACE_PROVIDER)."""
    rng = np.random.default_rng(seed)
    end = dt.date(2026, 3, 31)
    start = dt.date(end.year - years, 4, 1)
    span = (end - start).days
    children, episodes = [], []
    for i in range(n_children):
        key = f"C{i:06d}"
        entry = start + dt.timedelta(days=int(rng.integers(0, span)))
        age_days = int(rng.integers(0, 17 * 365))
        birth = entry - dt.timedelta(days=age_days)
        children.append((key, birth.year * 12 + birth.month - 1))
        day = entry
        while day <= end:
            weeks = max(1, int(rng.exponential(40)))
            stop = day + dt.timedelta(days=7 * weeks)
            place = PLACES[int(rng.choice(len(PLACES), p=PLACE_P))]
            provider = ("PR4" if rng.random() < 0.35 else "PR1") if place.startswith("U") else "PR1"
            leaves = rng.random() < 0.35
            episodes.append((key, day, stop if stop <= end else None, "C2", place, provider))
            if stop > end or leaves:
                break
            day = stop
    return children, episodes


def carestat_model(children, episodes, *, as_at, ref_start, history_start, years, resamples, population, seed):
    history = d.History.from_records(children, episodes)
    n_weeks = (as_at - history_start).days // 7 + 1
    days = [as_at - dt.timedelta(days=7 * (n_weeks - 1 - w)) for w in range(n_weeks)]
    states = d.weekly_states(history, days)  # every child, every week of the ten years
    first = n_weeks - 1 - (as_at - ref_start).days // 7
    last = n_weeks - 1
    rates = d.estimate(states, first, last, population)
    start = np.bincount(states[:, last][states[:, last] != d.OUT], minlength=d.S + 1)[:d.S].astype(float)
    central, _ = d.run(start, rates.transitions, rates.entry, years=years, population=[population])
    boot = d.bootstrap_counts(states, first, last, resamples, seed)
    bp, be = np.empty((resamples, d.S, d.S + 1)), np.empty((resamples, d.S))
    for i in range(resamples):
        r = d.rates_from_counts(boot[i], last - first, np.asarray(population, dtype=float))
        bp[i], be[i] = r.transitions, r.entry
    ends, _ = d.run(np.broadcast_to(start, (resamples, d.S)), bp, be, years=years, population=[population])
    by = d.by_placement(ends)
    by = np.concatenate([by, by.sum(axis=-1, keepdims=True)], axis=-1)
    return d.by_placement(central), np.percentile(by, 2.5, axis=0), np.percentile(by, 97.5, axis=0)


def pandas_model(children, episodes, *, as_at, ref_start, history_start, years, resamples, population, seed):
    import pandas as pd

    S, OUT, NP = d.S, d.OUT, d.NP
    kids = pd.DataFrame(children, columns=["key", "birth_ym"]).drop_duplicates("key")
    kids["child"] = range(len(kids))
    ep = pd.DataFrame(episodes, columns=["key", "decom", "dec", "ls", "place", "provider"])
    ep = ep[~ep["ls"].isin(d.SHORT_BREAKS)].merge(kids, on="key")
    ep["placement"] = [d.placement_of(p, v) for p, v in zip(ep["place"], ep["provider"], strict=True)]
    n_weeks = (as_at - history_start).days // 7 + 1
    week_days = pd.Series(pd.to_datetime([as_at - dt.timedelta(days=7 * (n_weeks - 1 - w)) for w in range(n_weeks)]))
    decom = pd.to_datetime(ep["decom"])
    dec = pd.to_datetime(ep["dec"]).fillna(pd.Timestamp("2262-01-01"))
    ep["w0"] = week_days.searchsorted(decom, side="left")
    ep["w1"] = week_days.searchsorted(dec, side="left")
    ep = ep[ep["w1"] > ep["w0"]].sort_values("decom", kind="stable")
    ep["week"] = [range(a, b) for a, b in zip(ep["w0"], ep["w1"], strict=True)]
    weeks = ep[["child", "birth_ym", "placement", "week", "decom"]].explode("week")
    weeks["week"] = weeks["week"].astype(int)
    # the later-starting episode wins a week two episodes share
    weeks = weeks.drop_duplicates(["child", "week"], keep="last")
    ym = week_days.dt.year * 12 + week_days.dt.month - 1
    weeks["age"] = (ym.to_numpy()[weeks["week"].to_numpy()] - weeks["birth_ym"]) // 12
    weeks = weeks[(weeks["age"] >= 0) & (weeks["age"] < 18)]
    weeks["band"] = pd.cut(weeks["age"], [-1, 0, 4, 9, 15, 17], labels=False)
    weeks["state"] = weeks["band"].astype(int) * NP + weeks["placement"]
    grid = weeks.set_index(["child", "week"])["state"]

    first = n_weeks - 1 - (as_at - ref_start).days // 7
    last = n_weeks - 1
    # transitions: each in-care week in the window joined to the child's state a week later, and
    # each in-care week after the window's start joined to the week before (for entries)
    here = grid[(grid.index.get_level_values("week") >= first) & (grid.index.get_level_values("week") < last)]
    nxt = grid.rename("to")
    a = here.rename("from").reset_index()
    a["next"] = a["week"] + 1
    a = a.merge(nxt.reset_index().rename(columns={"week": "next"}), on=["child", "next"], how="left")
    a["to"] = a["to"].fillna(OUT).astype(int)
    after = grid[(grid.index.get_level_values("week") > first) & (grid.index.get_level_values("week") <= last)]
    b = after.rename("to").reset_index()
    b["prev"] = b["week"] - 1
    b = b.merge(grid.rename("from").reset_index().rename(columns={"week": "prev"}), on=["child", "prev"], how="left")
    entries = b[b["from"].isna()].assign(**{"from": OUT})
    moves = pd.concat([a[["child", "from", "to"]], entries[["child", "from", "to"]]])
    moves["from"] = moves["from"].astype(int)
    per_child = moves.groupby(["child", "from", "to"]).size().rename("n").reset_index()
    pop = pd.Series(np.repeat(np.asarray(population, dtype=float), NP), index=range(S))

    def rates_of(counts: pd.DataFrame):
        table = counts.pivot_table(index="from", columns="to", values="n", aggfunc="sum", fill_value=0)
        table = table.reindex(index=range(S + 1), columns=range(S + 1), fill_value=0).astype(float)
        rows = table.loc[:S - 1].sum(axis=1)
        p = table.loc[:S - 1].div(rows.where(rows > 0), axis=0).fillna(0.0)
        for s in rows[rows == 0].index:
            p.loc[s, s] = 1.0
        e = table.loc[OUT, :S - 1] / (last - first)
        e = (e / pop.where(pop > 0)).fillna(0.0)
        return p, e

    def project(start: pd.Series, p: pd.DataFrame, e: pd.Series) -> list[pd.Series]:
        x, out = start, []
        weekly = e * pop
        into = p.loc[:, :S - 1]
        for _k in range(years):
            for _w in range(52):
                x = x.dot(into) + weekly
            out.append(x)
        return out

    start = grid.xs(last, level="week").value_counts().reindex(range(S), fill_value=0).astype(float)
    p, e = rates_of(per_child)
    central = project(start, p, e)
    rng = np.random.default_rng(seed)
    n_children = len(kids)
    moving = np.unique(per_child["child"])
    totals = []
    for _i in range(resamples):
        drawn = np.bincount(rng.integers(0, n_children, n_children), minlength=n_children)
        w = pd.Series(drawn[moving], index=moving)
        counts = per_child.assign(n=per_child["n"] * per_child["child"].map(w))
        bp, be = rates_of(counts)
        ends = project(start, bp, be)
        totals.append([end.groupby(np.arange(S) % NP).sum().tolist() for end in ends])
    arr = np.asarray(totals)  # resamples x years x placements
    arr = np.concatenate([arr, arr.sum(axis=-1, keepdims=True)], axis=-1)
    by = np.asarray([c.groupby(np.arange(S) % NP).sum().to_numpy() for c in central])
    return by, np.percentile(arr, 2.5, axis=0), np.percentile(arr, 97.5, axis=0)


def measure(fn, **kw):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn(**kw)
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, seconds, peak / 2**20


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--children", type=int, default=10_000)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--resamples", type=int, default=1000)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    children, episodes = generate(args.children, args.years)
    print(f"Generated {len(children):,} children and {len(episodes):,} episodes over {args.years} years "
          f"in {time.perf_counter() - t0:.1f} s")
    as_at = dt.date(2026, 3, 31)
    kw = dict(children=children, episodes=episodes, as_at=as_at, ref_start=as_at - dt.timedelta(days=364 * 3),
              history_start=dt.date(as_at.year - args.years, 4, 1), years=5, resamples=args.resamples,
              population=[6000, 24000, 30000, 36000, 12000], seed=17)
    (c_central, c_lo, c_hi), c_s, c_mb = measure(carestat_model, **kw)
    print(f"CareStat (numpy): states + estimate + 5-year projection with {args.resamples:,} resamples: "
          f"{c_s:.1f} s, peak traced memory {c_mb:,.0f} MiB")
    (p_central, p_lo, p_hi), p_s, p_mb = measure(pandas_model, **kw)
    print(f"Plain pandas, the same model: {p_s:.1f} s, peak traced memory {p_mb:,.0f} MiB")
    same = (np.allclose(c_central, p_central, rtol=1e-9, atol=1e-6) and np.allclose(c_lo, p_lo, rtol=1e-9, atol=1e-6)
            and np.allclose(c_hi, p_hi, rtol=1e-9, atol=1e-6))
    print(f"Results equal: {'yes' if same else 'NO'} (year-5 total in care {c_central[-1].sum():,.1f}, "
          f"95% interval {c_lo[-1, -1]:,.1f} to {c_hi[-1, -1]:,.1f})")
    print(f"Ratio: pandas takes {p_s / c_s:.1f}x as long as CareStat")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Process peak resident memory (ru_maxrss): {rss:,.0f} MiB")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
