"""Children's measures from the CIN census and SSDA903, as in reference/measure_catalogue.csv.

Each definition is one Ibis expression over the store's current tables, so DuckDB and Spark
run the same code. Rules that are easy to get wrong, and how they are handled here:

- The same referral, assessment, plan or episode appears in each census or 903 year it was
  open in; rows are de-duplicated on their natural key (child + start date), keeping the
  latest collection year's row (which has the end date if there is one).
- Working days are ``wd_index(end) - wd_index(start)`` from the jurisdiction's working-day
  index: working days after the start up to and including the end, as the catalogue says.
- Calendar anniversaries (2 years for CIN-CPP-2YR, 12 months back for CIN-REREF-12M) are
  computed at ingest with 29 February -> 1 March, so no engine-specific date arithmetic runs.
- Ages are whole years at the period end from the birth year-month (exact at a month end).
  Age bands: unborn, under 1, 1-4, 5-9, 10-15, 16+, unknown.

Public entry point: ``compute_children_measures(store_or_backend, period, jurisdiction,
codes=None)``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import ibis

from carestat.analytics.measures.base import (
    REGISTRY,
    MeasureContext,
    MeasureResult,
    Period,
    _clean,
    _derive_value,
    empty_group,
    measure,
)
from carestat.analytics.periods import parse_period

METHOD_VERSION = "1"
BREAKDOWNS = ("age_band", "sex", "category_of_need")
CIN_CODES = ("CIN-REREF-12M", "CIN-ASSESS-45WD", "CIN-ICPC-15WD", "CIN-CPP-2YR")
LAC_CODES = ("LAC-COUNT", "LAC-3PLUS-PLACEMENTS", "LAC-LT-STABILITY")
CHILDREN_CODES = CIN_CODES + LAC_CODES
SHORT_BREAKS = ("V3", "V4")
PLACEMENT_CHANGE = ("P", "T", "B", "U")  # RNE codes that start a new placement
NEW_CARER = ("S", "P", "B")  # RNE codes whose placement is with different carers


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` earlier, clamped to the end of a shorter month."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# -- the period's dates, as literals or from a one-row parameter table ----------------------
PERIOD_TABLE = "_carestat_period"
PERIOD_COLUMNS = {"p_start": "date", "p_end": "date", "end_ym": "int64",
                  "before_24m": "date", "before_30m": "date"}


def period_values(period: Period) -> dict[str, Any]:
    """Everything a definition needs to know of the period, by parameter name."""
    end = period.end
    return {"p_start": period.start, "p_end": end, "end_ym": end.year * 12 + end.month - 1,
            "before_24m": months_before(end, 24), "before_30m": months_before(end, 30)}


def _p(ctx: MeasureContext, name: str):
    """The period's ``name`` value: from ``ctx.params`` when set, otherwise a literal."""
    if ctx.params is not None:
        return ctx.params[name].as_scalar()
    return ibis.literal(period_values(ctx.period)[name], type=PERIOD_COLUMNS[name])


def period_parameters(backend: Any, period: Period):
    """Write the period into the one-row period table on ``backend``; return that table.

    On DuckDB the table is made once per connection and its row rewritten, so statements
    prepared over it stay valid; on Spark it is a temporary view.
    """
    values = period_values(period)
    if backend.name == "duckdb":
        con = backend.con
        columns = ", ".join(f"{c} {'BIGINT' if t == 'int64' else 'DATE'}"
                            for c, t in PERIOD_COLUMNS.items())
        con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {PERIOD_TABLE} ({columns})")
        con.execute(f"DELETE FROM {PERIOD_TABLE}")
        con.execute(f"INSERT INTO {PERIOD_TABLE} VALUES ({', '.join('?' * len(values))})",
                    [values[c] for c in PERIOD_COLUMNS])
        handles = backend.__dict__.setdefault("_carestat_tables", {})
        if PERIOD_TABLE not in handles:
            handles[PERIOD_TABLE] = backend.table(PERIOD_TABLE)
        return handles[PERIOD_TABLE]
    else:  # Spark: a temporary view in the session
        from pyspark.sql import types as T

        kinds = {"date": T.DateType(), "int64": T.LongType()}
        schema = T.StructType([T.StructField(c, kinds[t], False)
                               for c, t in PERIOD_COLUMNS.items()])
        session = backend._session
        session.createDataFrame([tuple(values[c] for c in PERIOD_COLUMNS)], schema) \
            .createOrReplaceTempView(PERIOD_TABLE)
    return backend.table(PERIOD_TABLE)


def _latest(ctx: MeasureContext, t, keys: list[str]):
    """One row per ``keys``: the latest collection year's (then the newest submission's).

    A store keeps its current tables de-duplicated this way already (``current_*``), and
    says so with ``ctx.settings["deduplicated"]``; then this is a no-op.
    """
    if ctx.settings.get("deduplicated"):
        return t
    window = ibis.window(group_by=[t[k] for k in keys],
                         order_by=[ibis.desc(t.collection_year), ibis.desc(t.submission_id)])
    return t.mutate(_rn=ibis.row_number().over(window)).filter(lambda x: x._rn == 0).drop("_rn")


def _age_band(birth_ym, end_ym):
    age = (end_ym - birth_ym) // 12
    return ibis.cases(
        (birth_ym.isnull(), "unknown"),
        (birth_ym > end_ym, "unborn"),
        (age < 1, "under 1"),
        (age < 5, "1-4"),
        (age < 10, "5-9"),
        (age < 16, "10-15"),
        else_="16+",
    )


def _people(ctx: MeasureContext, t):
    t = _latest(ctx, t, ["child_key"])
    return t.select(p_key=t.child_key, sex=t.sex, birth_ym=t.birth_ym)


def _with_person(ctx: MeasureContext, base, people):
    """``base`` with each child's sex and age band at the period end ("unknown" when the
    child or their date of birth is missing). The band is worked out after the join, for
    the rows counted rather than every child in the return."""
    j = base.left_join(people, base.child_key == people.p_key)
    return j.mutate(sex=j.sex.fill_null("unknown"),
                    age_band=_age_band(j.birth_ym, _p(ctx, "end_ym")))


def _base(t, hit):
    """The rows a measure counts: its breakdown columns and ``_hit`` (in the numerator)."""
    return t.select(*BREAKDOWNS, _hit=hit.fill_null(False))


def _aggregate(base, by: list[str], *, count_only: bool = False):
    if count_only:
        agg = empty_group(base, by).aggregate(numerator=base.count().cast("int64"))
    else:
        agg = empty_group(base, by).aggregate(
            numerator=ibis.ifelse(base._hit, 1, 0).sum().fill_null(0).cast("int64"),
            denominator=base.count().cast("int64"),
        )
    return agg.order_by(by) if by else agg


BASES: dict = {}  # code -> fn(ctx) -> base table


def _children_measure(code: str, *, unit: str, needs: tuple[str, ...]):
    """Register ``fn(ctx) -> base`` under ``code`` in the measure registry and in BASES."""

    def register(fn):
        BASES[code] = fn
        count_only = unit == "count"

        @measure(code, unit=unit, version=METHOD_VERSION, needs=needs, breakdowns=BREAKDOWNS)
        def compute(ctx: MeasureContext, by: list[str]):
            return _aggregate(fn(ctx), by, count_only=count_only)

        compute.__doc__ = fn.__doc__
        return fn

    return register


def _wd_between(t, wd, start_col: str, end_col: str):
    """t with ``_wd``: working days after t[start_col] up to and including t[end_col]."""
    ws = wd.select(_ws_date=wd.date, _ws_idx=wd.wd_index)
    we = wd.select(_we_date=wd.date, _we_idx=wd.wd_index)
    j = t.left_join(ws, t[start_col] == ws._ws_date)
    j = j.left_join(we, j[end_col] == we._we_date)
    return j.mutate(_wd=j._we_idx - j._ws_idx).drop("_ws_date", "_ws_idx", "_we_date", "_we_idx")


# -- CIN census -------------------------------------------------------------------------
@_children_measure("CIN-REREF-12M", unit="percent", needs=("cin_referrals", "cin_children"))
def re_referrals(ctx: MeasureContext):
    refs = _latest(ctx, ctx.tables["cin_referrals"], ["child_key", "referral_date"])
    inp = refs.filter(refs.referral_date.between(_p(ctx, "p_start"), _p(ctx, "p_end")))
    earlier = refs.select(e_key=refs.child_key, e_date=refs.referral_date)
    pairs = inp.join(earlier, [inp.child_key == earlier.e_key,
                               earlier.e_date < inp.referral_date,
                               earlier.e_date >= inp.referral_date_less_12m])
    hits = pairs.select(h_key=pairs.child_key, h_date=pairs.referral_date).distinct()
    hits = hits.mutate(h_hit=ibis.literal(1))
    flagged = inp.left_join(hits, [inp.child_key == hits.h_key,
                                   inp.referral_date == hits.h_date])
    flagged = flagged.mutate(category_of_need=flagged.primary_need.fill_null("unknown"))
    t = _with_person(ctx, flagged, _people(ctx, ctx.tables["cin_children"]))
    return _base(t, t.h_hit.notnull())


@_children_measure("CIN-ASSESS-45WD", unit="percent", needs=("cin_assessments", "cin_children"))
def assessments_in_45_days(ctx: MeasureContext):
    a = _latest(ctx, ctx.tables["cin_assessments"], ["child_key", "start_date"])
    a = a.filter(a.authorised_date.between(_p(ctx, "p_start"), _p(ctx, "p_end")))
    a = a.mutate(category_of_need=a.primary_need.fill_null("unknown"))
    a = _wd_between(a, ctx.working_days, "start_date", "authorised_date")
    t = _with_person(ctx, a, _people(ctx, ctx.tables["cin_children"]))
    return _base(t, t._wd <= 45)


@_children_measure("CIN-ICPC-15WD", unit="percent", needs=("cin_section47", "cin_children"))
def icpc_in_15_days(ctx: MeasureContext):
    s = _latest(ctx, ctx.tables["cin_section47"], ["child_key", "s47_start_date"])
    s = s.filter(s.icpc_date.notnull() & s.icpc_date.between(_p(ctx, "p_start"), _p(ctx, "p_end")))
    s = s.mutate(category_of_need=s.primary_need.fill_null("unknown"))
    s = _wd_between(s, ctx.working_days, "s47_start_date", "icpc_date")
    t = _with_person(ctx, s, _people(ctx, ctx.tables["cin_children"]))
    return _base(t, t._wd <= 15)


@_children_measure("CIN-CPP-2YR", unit="percent", needs=("cin_cp_plans", "cin_children"))
def cp_plans_two_years(ctx: MeasureContext):
    c = _latest(ctx, ctx.tables["cin_cp_plans"], ["child_key", "start_date"])
    c = c.filter(c.end_date.notnull() & c.end_date.between(_p(ctx, "p_start"), _p(ctx, "p_end")))
    c = c.mutate(category_of_need=c.primary_need.fill_null("unknown"))
    t = _with_person(ctx, c, _people(ctx, ctx.tables["cin_children"]))
    return _base(t, t.end_date >= t.second_anniversary)


# -- SSDA903 ------------------------------------------------------------------------------
def _episodes(ctx):
    return _latest(ctx, ctx.tables["lac_episodes"], ["child_key", "decom"])


def _looked_after_at_end(ctx):
    """One row per child counted by LAC-COUNT, with the open episode's category of need."""
    end = _p(ctx, "p_end")
    e = _episodes(ctx)
    open_ = e.filter((e.decom <= end) & (e.dec.isnull() | (e.dec > end)))
    open_ = open_.filter(~open_.ls.isin(SHORT_BREAKS))
    return open_.group_by("child_key").aggregate(
        category_of_need=open_.cin.max().fill_null("unknown"))


@_children_measure("LAC-COUNT", unit="count", needs=("lac_episodes", "lac_children"))
def looked_after_count(ctx: MeasureContext):
    t = _with_person(ctx, _looked_after_at_end(ctx), _people(ctx, ctx.tables["lac_children"]))
    return _base(t, ibis.literal(True))


@_children_measure("LAC-3PLUS-PLACEMENTS", unit="percent", needs=("lac_episodes", "lac_children"))
def three_placements(ctx: MeasureContext):
    e = _episodes(ctx)
    moves = e.filter((e.decom > _p(ctx, "p_start")) & (e.decom <= _p(ctx, "p_end"))
                     & e.rne.isin(PLACEMENT_CHANGE) & ~e.ls.isin(SHORT_BREAKS))
    moves = moves.group_by(m_key=moves.child_key).aggregate(moves=moves.count())
    lac = _looked_after_at_end(ctx)
    j = lac.left_join(moves, lac.child_key == moves.m_key)
    j = j.mutate(placements=1 + j.moves.fill_null(0))
    t = _with_person(ctx, j, _people(ctx, ctx.tables["lac_children"]))
    return _base(t, t.placements >= 3)


@_children_measure("LAC-LT-STABILITY", unit="percent", needs=("lac_episodes", "lac_children"))
def long_term_stability(ctx: MeasureContext):
    end = _p(ctx, "p_end")
    e = _episodes(ctx)
    # an episode continues the one before if that ended the day this began
    prev = e.filter(e.dec.notnull()).select(q_key=e.child_key, q_dec=e.dec).distinct()
    cont = e.join(prev, [e.child_key == prev.q_key, prev.q_dec == e.decom])
    cont = cont.select(c_key=cont.child_key, c_decom=cont.decom).distinct()
    cont = cont.mutate(c_hit=ibis.literal(1))
    e2 = e.left_join(cont, [e.child_key == cont.c_key, e.decom == cont.c_decom])
    e2 = e2.mutate(is_first=e2.c_hit.isnull()).filter(lambda x: x.decom <= end)
    care = e2.filter((e2.rne == "S") | e2.is_first)
    care = care.group_by(k1=care.child_key).aggregate(care_start=care.decom.max())
    place = e2.filter(e2.rne.isin(NEW_CARER) | e2.is_first)
    place = place.group_by(k2=place.child_key).aggregate(placement_start=place.decom.max())
    lac = _looked_after_at_end(ctx)
    j = lac.left_join(care, lac.child_key == care.k1)
    j = j.left_join(place, j.child_key == place.k2)
    t = _with_person(ctx, j, _people(ctx, ctx.tables["lac_children"]))
    under_16 = t.birth_ym.notnull() & ((_p(ctx, "end_ym") - t.birth_ym) // 12 < 16)
    long_stay = t.care_start <= _p(ctx, "before_30m")
    t = t.filter(under_16 & long_stay)
    two_years = _p(ctx, "before_24m")
    return _base(t, t.placement_start.notnull() & (t.placement_start <= two_years))


# -- entry point ----------------------------------------------------------------------------
def compute_children_measures(
    store_or_backend: Any,
    period: Period | str,
    jurisdiction: str,
    codes=None,
    *,
    tables: dict | None = None,
    working_days: Any = None,
    exclusions: dict | None = None,
    deduplicated: bool = True,
) -> list[MeasureResult]:
    """Compute the children's measures for a period.

    ``store_or_backend``: a ``store.Store`` (tables, working days and exclusions come from
    it), or an Ibis backend (Spark) holding tables of the same names, as made by
    ``Store.copy_current_to``; ``tables``/``working_days`` override the lookup and
    ``exclusions`` ({"cin": (count, reasons), "ssda903": ...}) supplies quarantine counts.
    ``deduplicated``: the tables hold one row per natural key, as a store's current tables
    (and their copies) do; pass False for raw rows from several returns.
    ``period``: a Period or an identifier for ``periods.parse_period`` (``"2023-24"``,
    ``"2023-24-Q2"``, ``"2023-09"``).
    Every result's ``extra`` holds ``excluded_records`` and ``exclusion_reasons`` (rule ->
    records) from the quarantined records of the current submissions the measure reads.
    """
    from carestat.analytics.store import FORMAT_TABLES, Store, working_days_table_name

    if isinstance(period, str):
        period = parse_period(period)
    if isinstance(store_or_backend, Store):
        store = store_or_backend
        backend = store.backend
        tables = tables or store.current_tables()
        working_days = working_days if working_days is not None else \
            store.working_days_table(jurisdiction)
        exclusions = exclusions or {f: store.exclusions(f) for f in ("cin", "ssda903")}
    else:
        backend = store_or_backend
        names = (*FORMAT_TABLES["cin"], *FORMAT_TABLES["ssda903"])
        tables = tables or {name: backend.table(name) for name in names}
        if working_days is None:
            working_days = backend.table(working_days_table_name(jurisdiction))
        exclusions = exclusions or {}
    ctx = MeasureContext(period=period, tables=tables, working_days=working_days,
                         backend=backend, settings={"deduplicated": deduplicated})
    results = _compute_in_one_query(backend, ctx, list(codes or CHILDREN_CODES))
    out = []
    for r in results:
        fmt = "cin" if REGISTRY[r.code].needs[0].startswith("cin_") else "ssda903"
        count, reasons = exclusions.get(fmt, (0, {}))
        extra = {**r.extra, "excluded_records": count, "exclusion_reasons": dict(reasons)}
        out.append(dataclasses.replace(r, extra=extra))
    return out


# The figures query, compiled, by (engine, codes, tables read, deduplicated). It reads the
# period from the period table, so one compilation serves every period; on DuckDB it is
# also prepared once per connection, so a running server neither compiles nor plans it
# again and pays only for the engine's work.
_SQL_CACHE: dict[tuple, str] = {}


def _cache_key(backend, ctx: MeasureContext, codes: list[str]) -> tuple | None:
    try:
        names = tuple(sorted((k, t.get_name()) for k, t in ctx.tables.items()))
        wd = ctx.working_days.get_name()
    except (AttributeError, ValueError, TypeError):  # derived tables: no stable SQL
        return None
    return (backend.name, tuple(codes), names, wd, bool(ctx.settings.get("deduplicated")))


def _run_cached(backend, key: tuple, build) -> list[tuple]:
    """Run the SQL cached under ``key`` (compiling ``build()`` on a miss) as a statement
    prepared on this DuckDB connection."""
    sql = _SQL_CACHE.get(key)
    if sql is None:
        sql = _SQL_CACHE[key] = str(backend.compile(build()))
    prepared = backend.__dict__.setdefault("_carestat_prepared", {})
    name = prepared.get(sql)
    if name is None:
        name = f"carestat_figures_{len(prepared) + 1}"
        backend.con.execute(f"PREPARE {name} AS {sql}")
        prepared[sql] = name
    return backend.con.execute(f"EXECUTE {name}").fetchall()


def _compute_in_one_query(backend, ctx: MeasureContext, codes: list[str]) -> list[MeasureResult]:
    """Every figure (headline and each breakdown) of every code from one query.

    Gives the same results as ``measures.base.compute_measures`` over the registered
    definitions (a test checks this), but builds each measure's rows once: one grouped
    aggregate per measure at the finest breakdown (age band x sex x category of need), from
    which the headline and each breakdown are sums, as numerators and denominators are
    counts.
    """
    for code in codes:
        if code not in BASES:
            raise KeyError(f"no children's measure is defined with code {code!r}")
    params = period_parameters(backend, ctx.period)
    ctx = dataclasses.replace(ctx, params=params)
    key = _cache_key(backend, ctx, codes) if backend.name == "duckdb" else None
    if key is not None:
        rows = _run_cached(backend, key, lambda: figures_expression(ctx, codes))
    else:
        frame = backend.execute(figures_expression(ctx, codes))
        rows = list(frame[list(FIGURE_COLUMNS)].itertuples(index=False, name=None))
    return _results_from_rows(ctx, codes, rows)


FIGURE_COLUMNS = ("code", *BREAKDOWNS, "hits", "rows")


def figures_expression(ctx: MeasureContext, codes: list[str]):
    """One Ibis expression: (code, age_band, sex, category_of_need, hits, rows) per code and
    combination of breakdown values present."""
    parts = []
    for code in codes:
        base = BASES[code](ctx)
        part = base.group_by(*(base[b].cast("string").name(b) for b in BREAKDOWNS)).aggregate(
            hits=ibis.ifelse(base._hit, 1, 0).sum().fill_null(0).cast("int64"),
            rows=base.count().cast("int64"),
        )
        parts.append(part.mutate(code=ibis.literal(code)).select(*FIGURE_COLUMNS))
    return ibis.union(*parts, distinct=False)


def _results_from_rows(ctx: MeasureContext, codes: list[str], rows) -> list[MeasureResult]:
    """Headline and per-breakdown figures summed from the finest-grained rows."""
    sums: dict[tuple[str, str, str], list[int]] = {(c, "", ""): [0, 0] for c in codes}
    for code, *values, hits, count in rows:
        hits, count = int(_clean(hits) or 0), int(_clean(count) or 0)
        keys = [(code, "", "")]
        keys += [(code, b, str(v)) for b, v in zip(BREAKDOWNS, values, strict=True)]
        for k in keys:
            acc = sums.setdefault(k, [0, 0])
            acc[0] += hits
            acc[1] += count
    rank = {c: i for i, c in enumerate(codes)}
    order = {b: i for i, b in enumerate(("", *BREAKDOWNS))}
    results = []
    for (code, by_name, by_value), (hits, count) in sorted(
            sums.items(), key=lambda kv: (rank[kv[0][0]], order[kv[0][1]], kv[0][2])):
        definition = REGISTRY[code]
        if definition.unit == "count":
            numerator, denominator = count, None
        else:
            numerator, denominator = hits, count
        value = _derive_value(definition.unit, numerator, denominator)
        results.append(MeasureResult(
            code=code, period=ctx.period.label,
            value=float(value) if value is not None else None,
            numerator=numerator, denominator=denominator, unit=definition.unit,
            method_version=definition.method_version,
            breakdown=((by_name, by_value),) if by_name else (),
        ))
    return results
