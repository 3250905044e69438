"""Benchmark: a council payments file of half a million rows checked and matched to providers, and
summed for the market map, against a plain pandas implementation of the same match and aggregate.

    .venv/bin/python bench/commissioning.py [--rows 500000] [--providers 2000] [--runs 3]

Generates (untimed) a payments file in the published "payments over £500" shape: suppliers drawn
from ``--providers`` providers (some rows giving a company or charity number, some spelling the
name differently: "Ltd" for "Limited", upper case, "The ..."), plus suppliers that are no provider
(left unmatched) and some a manager matched before (aliases). Then, in this process:

1. CareStat: ``carestat.analytics.commissioning.read_payments`` (decode, check every row, match by
   number, then normalised name, then alias, in DuckDB) and ``spend_by_provider``;
2. pandas: the same rules with ``read_csv``, vectorised cleaning and ``merge``/``groupby``;

checks the two give the same sums by (year, provider, service type) and the same matched count,
and prints each one's time (first run and median), the ratio, and peak memory (ru_maxrss).
The Django side (storing the rows) is not timed here.
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from carestat.analytics import commissioning as calc  # noqa: E402

COLUMNS = {"supplier": "Supplier", "registration": "Supplier number", "date": "Payment date", "amount": "Amount",
           "cost_code": "Cost code", "service_type": "Service type"}
WORDS = ["Oak", "River", "Meadow", "Bright", "Vale", "Hill", "North", "Green", "Castle", "Harbour", "Willow", "Ash",
         "Sunny", "Rose", "Kings", "Queens", "Abbey", "Field", "Brook", "Stone"]
KINDS = ["Care", "Homes", "Home Care", "Living", "Support", "Advocacy", "Carers", "Day Services", "Fostering"]
SERVICES = ["Home care", "Residential care", "Nursing care", "Supported living", "Advocacy", "Carers' support",
            "Day opportunities", "Shared Lives", "Prevention", ""]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def generate(rows: int, providers: int, seed: int = 2026):
    """The file's bytes and the provider keys it is matched against (deterministic)."""
    rng = random.Random(seed)
    names, numbers = [], []
    for i in range(providers):
        names.append(f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(KINDS)} {i} Limited")
        numbers.append(f"{10_000_000 + i:08d}" if i % 3 else "")
    keys = calc.ProviderKeys([(i + 1, calc.normalise_name(n), [numbers[i]] if numbers[i] else [])
                              for i, n in enumerate(names)],
                             {calc.normalise_name(f"Alias Trading {i}"): (i % providers) + 1 for i in range(50)})
    # Each supplier spelling: exact, "Ltd", upper case, "The ...", a stranger, an alias.
    spellings, regs = [], []
    for i in range(providers):
        base = names[i]
        spellings += [base, base.replace("Limited", "Ltd"), base.upper(), f"The {base}"]
        regs += [numbers[i], "", "", ""]
    spellings += [f"Stranger Supplies {i}" for i in range(300)] + [f"ALIAS TRADING {i} LTD" for i in range(50)]
    regs += [""] * 350
    np_rng = np.random.default_rng(seed)
    which = np_rng.integers(0, len(spellings), rows)
    days = np_rng.integers(0, 730, rows)
    pence = np_rng.integers(50_000, 5_000_000, rows)
    service = np_rng.integers(0, len(SERVICES), rows)
    dates = pd.to_datetime("2025-04-01") + pd.to_timedelta(days, unit="D")
    amounts = [f"{p // 100}.{p % 100:02d}" for p in pence.tolist()]
    frame = pd.DataFrame({
        "Supplier": np.array(spellings, dtype=object)[which],
        "Supplier number": np.array(regs, dtype=object)[which],
        # half the rows in UK form (30/04/2026), as some finance systems write them
        "Payment date": np.where(days % 2 == 0, dates.strftime("%Y-%m-%d"), dates.strftime("%d/%m/%Y")),
        "Amount": amounts,
        "Cost code": np.array([f"AS{n:03d}" for n in range(100)], dtype=object)[which % 100],
        "Service type": np.array(SERVICES, dtype=object)[service],
    })
    out = io.StringIO()
    frame.to_csv(out, index=False)
    return out.getvalue().encode("utf-8"), keys


def carestat(content: bytes, keys) -> tuple[dict, int]:
    matched = calc.read_payments(content, "payments.csv", COLUMNS, keys)
    sums = {(y, p, s): a for y, p, s, a in calc.spend_by_provider(matched)}
    return sums, matched.matched


def plain_pandas(content: bytes, keys) -> tuple[dict, int]:
    """The same rules, as a pandas user would write them."""
    df = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    df.columns = ["supplier", "registration", "date", "amount", "cost_code", "service_text"]
    iso = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
    uk = pd.to_datetime(df["date"], format="%d/%m/%Y", errors="coerce")
    date = iso.fillna(uk)
    cleaned = df["amount"].str.replace(r"[£,()\s]", "", regex=True)
    negative = df["amount"].str.strip().str.match(r"^\(.*\)$")
    pence = (pd.to_numeric(cleaned, errors="coerce") * 100).round().astype("Int64")
    pence = pence.where(~negative, -pence)
    if date.isna().any() or pence.isna().any() or (df["supplier"].str.strip() == "").any():
        raise ValueError("bad rows")
    df["pence"] = pence
    df["year"] = np.where(date.dt.month >= 4, date.dt.year, date.dt.year - 1)
    df["year"] = df["year"].astype(str) + "-" + ((df["year"] + 1) % 100).astype(str).str.zfill(2)
    supplier = df["supplier"].str.strip()
    unique = supplier.unique()
    df["supplier_key"] = supplier.map(dict(zip(unique, (calc.normalise_name(s) for s in unique), strict=True)))
    regs = df["registration"].str.strip()
    unique_regs = regs.unique()
    df["number_key"] = regs.map(dict(zip(unique_regs, (calc.normalise_company(r) if r else "" for r in unique_regs),
                                         strict=True)))
    services = df["service_text"].str.strip()
    unique_services = services.unique()
    df["service_type"] = services.map({s: (str(calc.parse_service_type(s) or "") if s else "")
                                       for s in unique_services})
    by_number, by_name = {}, {}
    for pid, name_key, nums in keys.providers:
        for n in nums:
            by_number.setdefault(n, pid)
            if n.isdigit():
                by_number.setdefault(n.zfill(8), pid)
        by_name.setdefault(name_key, pid)
    pid = df["number_key"].map(by_number)
    pid = pid.fillna(df["supplier_key"].map(by_name))
    pid = pid.fillna(df["supplier_key"].map(keys.aliases))
    df["provider_id"] = pid
    matched = df[df["provider_id"].notna()]
    sums = matched.groupby(["year", "provider_id", "service_type"], sort=True)["pence"].sum()
    out = {(y, int(p), s): Decimal(int(v)) / 100 for (y, p, s), v in sums.items()}
    return out, len(matched)


def timed(fn, *args, runs: int):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return result, times


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--providers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    content, keys = generate(args.rows, args.providers)
    print(f"Generated {args.rows:,} payments ({len(content) / 1e6:.1f} MB) for {args.providers:,} providers in "
          f"{time.perf_counter() - start:.1f} s (untimed); peak memory so far {peak_rss_mb():.0f} MB")
    before = peak_rss_mb()
    (ours, ours_matched), ours_t = timed(carestat, content, keys, runs=args.runs)
    ours_peak = peak_rss_mb()
    (theirs, theirs_matched), theirs_t = timed(plain_pandas, content, keys, runs=args.runs)
    theirs_peak = peak_rss_mb()
    same = ours == theirs and ours_matched == theirs_matched
    total = sum(ours.values(), Decimal(0))
    print(f"Matched {ours_matched:,} of {args.rows:,} payments; {len(ours):,} (year, provider, service) sums; "
          f"matched spend £{total:,.2f}")
    print(f"CareStat (DuckDB): first {ours_t[0]:.2f} s, median {statistics.median(ours_t):.2f} s; "
          f"peak memory {ours_peak:.0f} MB (was {before:.0f} MB before)")
    print(f"plain pandas:      first {theirs_t[0]:.2f} s, median {statistics.median(theirs_t):.2f} s; "
          f"peak memory {theirs_peak:.0f} MB after both")
    ratio = statistics.median(theirs_t) / statistics.median(ours_t)
    print(f"Ratio (pandas time / CareStat time, medians): {ratio:.2f}x")
    print(f"Results equal: {'PASS' if same else 'FAIL'}")
    if not same:
        diff = set(ours.items()) ^ set(theirs.items())
        print(f"  {len(diff)} sums differ, e.g. {sorted(diff)[:3]}; matched {ours_matched} against {theirs_matched}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
