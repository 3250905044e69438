"""The children's measures in polars, as an analyst would write them (issue 14).

The same rules as ``bench_children.py``'s pandas implementation, over the store's current
tables as polars DataFrames; ``bench_measures_floor.py`` times it against CareStat and checks
every figure equal. Returns {(code, breakdown): (numerator, denominator)}, the breakdown as
CareStat's results name it: () for the headline, else ((column, value),).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carestat.analytics.measures.children import months_before

BREAKDOWNS = ("age_band", "sex", "category_of_need")
c = pl.col


def _people(df: pl.DataFrame, end: dt.date) -> pl.DataFrame:
    end_ym = end.year * 12 + end.month - 1
    birth = c("birth_ym")
    age = (end_ym - birth) // 12
    band = (pl.when(birth.is_null()).then(pl.lit("unknown"))
            .when(birth > end_ym).then(pl.lit("unborn"))
            .when(age < 1).then(pl.lit("under 1"))
            .when(age < 5).then(pl.lit("1-4"))
            .when(age < 10).then(pl.lit("5-9"))
            .when(age < 16).then(pl.lit("10-15"))
            .otherwise(pl.lit("16+")))
    return df.select("child_key", sex=c("sex").fill_null("unknown"), age_band=band,
                     birth_ym=birth)


def _with_person(df: pl.DataFrame, people: pl.DataFrame) -> pl.DataFrame:
    return df.join(people, on="child_key", how="left").with_columns(
        c("sex").fill_null("unknown"), c("age_band").fill_null("unknown"))


def _ratio(code: str, df: pl.DataFrame, hit: pl.Expr, out: dict, count_only: bool = False):
    df = df.select(*BREAKDOWNS, _hit=hit.fill_null(False))
    aggs = [c("_hit").sum().alias("num"), pl.len().alias("den")]
    levels = [((), df.select(aggs))] + [((b,), df.group_by(b).agg(aggs)) for b in BREAKDOWNS]
    for by, frame in levels:
        for row in frame.iter_rows(named=True):
            key = tuple((b, str(row[b])) for b in by)
            num, den = int(row["num"]), int(row["den"])
            out[(code, key)] = (den, None) if count_only else (num, den)


def _wd_between(df: pl.DataFrame, wd: pl.DataFrame, start: str, end: str) -> pl.DataFrame:
    ws = wd.select(c("date").alias(start), _ws=c("wd_index"))
    we = wd.select(c("date").alias(end), _we=c("wd_index"))
    df = df.join(ws, on=start, how="left").join(we, on=end, how="left")
    return df.with_columns(_wd=c("_we") - c("_ws"))


def polars_children_measures(t: dict[str, pl.DataFrame], wd: pl.DataFrame, start: dt.date,
                             end: dt.date) -> dict:
    out: dict = {}
    cin_people = _people(t["cin_children"], end)
    lac_people = _people(t["lac_children"], end)
    need = c("primary_need").fill_null("unknown").alias("category_of_need")

    refs = t["cin_referrals"]
    inp = refs.filter(c("referral_date").is_between(start, end))
    earlier = refs.select("child_key", e_date=c("referral_date"))
    hits = (inp.select("child_key", "referral_date", "referral_date_less_12m")
            .join(earlier, on="child_key")
            .filter((c("e_date") < c("referral_date"))
                    & (c("e_date") >= c("referral_date_less_12m")))
            .select("child_key", "referral_date").unique().with_columns(_h=pl.lit(True)))
    inp = inp.join(hits, on=["child_key", "referral_date"], how="left").with_columns(need)
    _ratio("CIN-REREF-12M", _with_person(inp, cin_people), c("_h").is_not_null(), out)

    a = t["cin_assessments"].filter(c("authorised_date").is_between(start, end))
    a = _with_person(_wd_between(a.with_columns(need), wd, "start_date", "authorised_date"),
                     cin_people)
    _ratio("CIN-ASSESS-45WD", a, c("_wd") <= 45, out)

    x = t["cin_section47"].filter(c("icpc_date").is_between(start, end))
    x = _with_person(_wd_between(x.with_columns(need), wd, "s47_start_date", "icpc_date"),
                     cin_people)
    _ratio("CIN-ICPC-15WD", x, c("_wd") <= 15, out)

    p = t["cin_cp_plans"].filter(c("end_date").is_between(start, end))
    p = _with_person(p.with_columns(need), cin_people)
    _ratio("CIN-CPP-2YR", p, c("end_date") >= c("second_anniversary"), out)

    ep = t["lac_episodes"]
    not_respite = ~c("ls").is_in(["V3", "V4"]).fill_null(False)
    open_ = ep.filter((c("decom") <= end) & (c("dec").is_null() | (c("dec") > end)) & not_respite)
    lac = open_.group_by("child_key").agg(category_of_need=c("cin").max()).with_columns(
        c("category_of_need").fill_null("unknown"))
    lacp = _with_person(lac, lac_people)
    _ratio("LAC-COUNT", lacp, pl.lit(True), out, count_only=True)

    moves = (ep.filter((c("decom") > start) & (c("decom") <= end)
                       & c("rne").is_in(["P", "T", "B", "U"]).fill_null(False) & not_respite)
             .group_by("child_key").agg(moves=pl.len()))
    three = lacp.join(moves, on="child_key", how="left")
    _ratio("LAC-3PLUS-PLACEMENTS", three, 1 + c("moves").fill_null(0) >= 3, out)

    prev = (ep.filter(c("dec").is_not_null()).select("child_key", decom=c("dec")).unique()
            .with_columns(_prev=pl.lit(True)))
    ep = ep.join(prev, on=["child_key", "decom"], how="left").with_columns(
        is_first=c("_prev").is_null()).filter(c("decom") <= end)
    care = (ep.filter((c("rne") == "S").fill_null(False) | c("is_first"))
            .group_by("child_key").agg(care=c("decom").max()))
    place = (ep.filter(c("rne").is_in(["S", "P", "B"]).fill_null(False) | c("is_first"))
             .group_by("child_key").agg(place=c("decom").max()))
    end_ym = end.year * 12 + end.month - 1
    lt = (lacp.join(care, on="child_key", how="left").join(place, on="child_key", how="left")
          .filter(c("birth_ym").is_not_null() & ((end_ym - c("birth_ym")) // 12 < 16)
                  & (c("care") <= months_before(end, 30))))
    _ratio("LAC-LT-STABILITY", lt,
           c("place").is_not_null() & (c("place") <= months_before(end, 24)), out)
    return out
