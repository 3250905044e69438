"""ASCOF measures from adult social care client level data (table ``cld_events``).

``cld_main_table`` builds the DHSC "joined submissions" main table across the loaded CLD
submissions (3-submission-selection, 4-event-filtering, 6-deduplication); every ASCOF
measure starts from it, over the year and the 12 months before it (to tell new clients from
existing ones) and 3 months after it (to see what followed short-term support).

Where the DHSC material in shared/reference/cld leaves a choice open, the choice made is
written in docs/analytics/adults.md and in each measure's docstring. Ages come from the
birth month (DHSC receives month and year only): age at a date = whole years of completed
months from the birth month.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa

from carestat.analytics.measures.base import MeasureContext, measure

VERSION = "cld-1.0"
TABLE = "cld_events"
POPULATION = "population"
LTS = "Long term support"
ST_MAX = "Short term support: ST-Max"
RESIDENTIAL = ("Long term support: Residential care", "Long term support: Nursing care")
COMMUNITY = "Long term support: Community"
SELF_DIRECTED = ("Direct Payment", "CASSR Managed Personal Budget")
# ST-Max ending like this is early cessation, not a result of reablement (as SALT STS001)
EARLY_CESSATION = (
    "NFA: Deceased",
    "Admitted to hospital",
    "NFA: Referral to NHS services or NHS funded social care",
    "NFA: Responsibility moved to another local authority",
)
HOME_OR_FAMILY = ("owner occupier", "tenant", "settled mainstream housing with family")
SEQUEL_DAYS = 91
HOURLY = "Hourly"  # the CLD reader's cost frequency for units that are hours


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31][m]
    return dt.date(y, m + 1, min(day.day, last))


def _quarters(start: dt.date, end: dt.date) -> pa.Table:
    starts, ends = [], []
    q = dt.date(start.year, start.month - (start.month - 1) % 3, 1)
    while q <= end:
        nxt = _add_months(q, 3)
        starts.append(q)
        ends.append(nxt - dt.timedelta(days=1))
        q = nxt
    return pa.table({"ref_start": pa.array(starts, pa.date32()),
                     "ref_end": pa.array(ends, pa.date32())})


def cld_main_table(events, *, start: dt.date, end: dt.date, as_of: dt.date | None = None):
    """DHSC joined-submissions main table of unique events for [start, end].

    1. Reference periods: the quarters covering [start, end].
    2. For each, the latest submission (by load date, then id) loaded on or before ``as_of``
       whose derived reporting period covers the whole quarter.
    3. Events of that submission in that quarter: requests, assessments and reviews that
       started before the quarter's end and ended in it; services that started before its
       end and ended in it, after it, or not at all.
    4. Unique events by the DHSC identifying fields; a service still open at the end of a
       quarter and not seen in a later one has its end cropped to that quarter's end (not in
       the last quarter); one record kept per event: latest quarter, open or latest end,
       outcome hierarchy, latest loaded.
    """
    e = events
    if as_of is not None:
        e = e.filter(e.submitted_on <= as_of)
    subs = e.select("submission_id", "submitted_on", "derived_start", "derived_end").distinct()
    quarters = ibis.memtable(_quarters(start, end))
    cover = subs.cross_join(quarters)
    cover = cover.filter(
        (cover.derived_start <= cover.ref_start) & (cover.derived_end >= cover.ref_end)
    )
    pick = ibis.window(
        group_by=[cover.ref_end],
        order_by=[cover.submitted_on.desc(), cover.submission_id.desc()],
    )
    chosen = cover.mutate(_pick=ibis.row_number().over(pick)).filter(lambda t: t._pick == 0)
    chosen = chosen.select(sid=chosen.submission_id, ref_start=chosen.ref_start,
                           ref_end=chosen.ref_end)
    j = e.inner_join(chosen, e.submission_id == chosen.sid)
    service = j.event_type == "Service"
    in_ref = (j.event_end >= j.ref_start) & (j.event_end <= j.ref_end)
    j = j.filter(
        (j.event_start <= j.ref_end)
        & ibis.ifelse(service, in_ref | (j.event_end > j.ref_end) | j.event_end.isnull(), in_ref)
    )
    is_service = j.event_type == "Service"
    null_date = ibis.null().cast("date")
    null_text = ibis.null().cast("string")
    j = j.mutate(
        _end_key=ibis.ifelse(is_service, null_date, j.event_end),
        _route_key=ibis.ifelse(j.event_type == "Request", j.route_of_access, null_text),
        _assess_key=ibis.ifelse(j.event_type == "Assessment", j.assessment_type, null_text),
        _stype_key=ibis.ifelse(is_service, j.service_type, null_text),
        _comp_key=ibis.ifelse(is_service, j.service_component, null_text),
    )
    keys = ["event_type", "la_code", "person_key", "event_start", "client_type", "_end_key",
            "_route_key", "_assess_key", "_stype_key", "_comp_key"]
    last_ref = chosen.ref_end.max()
    j = j.mutate(_max_ref=j.ref_end.max().over(ibis.window(group_by=[j[k] for k in keys])))
    crop = (
        (j.event_type == "Service")
        & (j.ref_end == j._max_ref)
        & (j._max_ref < last_ref)
        & (j.event_end.isnull() | (j.event_end > j.ref_end))
    )
    j = j.mutate(event_end=ibis.ifelse(crop, j.ref_end, j.event_end))
    order = ibis.window(
        group_by=[j[k] for k in keys],
        order_by=[
            j.ref_end.desc(),
            j.event_end.desc(nulls_first=True),
            j.outcome_rank.asc(),
            j.submitted_on.desc(),
            j.submission_id.desc(),
            j.row_number.desc(),
        ],
    )
    j = j.mutate(_keep=ibis.row_number().over(order)).filter(lambda t: t._keep == 0)
    return j.drop("_end_key", "_route_key", "_assess_key", "_stype_key", "_comp_key",
                  "_max_ref", "_keep", "sid")


def _main(ctx: MeasureContext):
    return cld_main_table(
        ctx.tables[TABLE],
        start=_add_months(ctx.period.start, -12),
        end=_add_months(ctx.period.end, 3),
        as_of=ctx.settings.get("cld_as_of"),
    )


def _age_at(birth_ym, day: dt.date):
    ym = day.year * 12 + day.month - 1
    return ((ym - birth_ym) / 12).floor().cast("int64")


def _age_at_col(birth_ym, day_col):
    ym = day_col.year() * 12 + day_col.month() - 1
    return ((ym - birth_ym) / 12).floor().cast("int64")


def _age_band(age):
    return ibis.cases((age < 18, "under 18"), (age < 65, "18-64"), else_="65+")


def _active(t, start: dt.date, end: dt.date):
    return (t.event_start <= end) & (t.event_end.isnull() | (t.event_end >= start))


def _ratio(t, by, flag):
    g = t.group_by(by) if by else t
    return g.aggregate(
        numerator=flag.cast("int64").sum().cast("int64"),
        denominator=t.count().cast("int64"),
    ).mutate(numerator=lambda x: ibis.coalesce(x.numerator, 0))


def _service_users(t):
    return t.client_type.isnull() | (t.client_type == "Service user")


@measure("ASCOF-2E", unit="percent", version=VERSION, needs=(TABLE,), breakdowns=("age_band",))
def ascof_2e(ctx: MeasureContext, by: list[str]):
    """Clients with long-term support in the year whose latest accommodation is home or family.

    Denominator: service users aged 18+ at the year end with a long-term support service
    active at any time in the year. Numerator: those whose latest recorded accommodation
    status (latest event by start date up to the year end) starts "Owner occupier", "Tenant"
    or "Settled mainstream housing with family".
    """
    m = _main(ctx)
    p = ctx.period
    lts = m.filter((m.service_group == LTS) & _active(m, p.start, p.end) & _service_users(m))
    people = lts.group_by("person_key").aggregate(birth_ym=lts.birth_ym.max())
    people = people.mutate(age_band=_age_band(_age_at(people.birth_ym, p.end)))
    people = people.filter(people.age_band != "under 18")
    status = m.filter(m.accommodation_status.notnull() & (m.event_start <= p.end))
    latest = status.mutate(
        _n=ibis.row_number().over(
            ibis.window(group_by=status.person_key,
                        order_by=[status.event_start.desc(),
                                  status.event_end.desc(nulls_first=True),
                                  status.submission_id.desc(), status.row_number.desc()])
        )
    ).filter(lambda t: t._n == 0)
    lower = latest.accommodation_status.lower()
    home = ibis.or_(*[lower.startswith(s) for s in HOME_OR_FAMILY])
    latest = latest.select(pk=latest.person_key, home=home)
    joined = people.left_join(latest, people.person_key == latest.pk)
    return _ratio(joined, by, ibis.coalesce(joined.home, False))


@measure("ASCOF-3D", unit="percent", version=VERSION, needs=(TABLE,), breakdowns=("age_band",))
def ascof_3d(ctx: MeasureContext, by: list[str]):
    """Clients with long-term community support at the year end who direct their support.

    Denominator: service users aged 18+ with a "Long term support: Community" service active
    on the last day of the year. Numerator: those with such a service delivered by direct
    payment or a CASSR managed personal budget.
    """
    m = _main(ctx)
    p = ctx.period
    c = m.filter((m.service_type == COMMUNITY) & _active(m, p.end, p.end) & _service_users(m))
    people = c.group_by("person_key").aggregate(
        birth_ym=c.birth_ym.max(),
        sds=c.delivery_mechanism.isin(SELF_DIRECTED).cast("int64").max(),
    )
    people = people.mutate(age_band=_age_band(_age_at(people.birth_ym, p.end)))
    people = people.filter(people.age_band != "under 18")
    return _ratio(people, by, people.sds == 1)


def _home_care(t):
    """A service component naming home care ("Home care", "Home care/home support", ...)."""
    component = t.service_component.lower()
    return ibis.coalesce(component.startswith("home care") | component.startswith("home support"), False)


def home_care_people(m, day: dt.date):
    """Service users aged 18+ at ``day`` with long-term community support of home care costed
    by the hour active on ``day``, one row each: ``person_key``, ``age_band`` and ``hours``,
    the planned hours a week of those services (a blank counts none; the reader warned).

    ``m`` is the DHSC main table, so each service counts once: as its latest submission
    states it (DHSC keeps cost fields only for single submissions, as they are uplifted; the
    planned hours here are the latest sent). Two rows for one package (double-up care) with
    the same start, type and component are one event there, counted once.
    """
    hc = m.filter((m.service_type == COMMUNITY) & _home_care(m) & (m.unit_type == HOURLY)
                  & _active(m, day, day) & _service_users(m))
    people = hc.group_by("person_key").aggregate(
        birth_ym=hc.birth_ym.max(),
        hours=ibis.coalesce(hc.planned_units_per_week.sum(), 0.0),
    )
    people = people.mutate(age_band=_age_band(_age_at(people.birth_ym, day)))
    return people.filter(people.age_band != "under 18")


@measure("ASC-HOMECARE-HOURS", unit="hours a week", version=VERSION, needs=(TABLE,),
         breakdowns=("age_band",))
def asc_homecare_hours(ctx: MeasureContext, by: list[str]):
    """Planned hours a week of home care for people with long-term community support at the
    year end, and how many people they are (see ``home_care_people``).

    Value and numerator: the planned hours a week, to two decimal places. Denominator: the
    people. No value when there are none (the CLD may not carry the fields). The cost model's
    "hours of home care" activity is this figure.
    """
    people = home_care_people(_main(ctx), ctx.period.end)
    g = people.group_by(by) if by else people
    t = g.aggregate(numerator=ibis.coalesce(people.hours.sum(), 0.0).round(2),
                    denominator=people.count().cast("int64"))
    # no one with hourly home care: no figure (a council whose CLD lacks the fields has not
    # 0 hours of home care); the runner records nothing for a None value
    return t.mutate(value=ibis.ifelse(t.denominator > 0, t.numerator, ibis.null().cast("float64")))


def _admissions(ctx: MeasureContext):
    """First permanent admission in the year per person, with age at admission."""
    m = _main(ctx)
    p = ctx.period
    res = m.filter(m.service_type.isin(RESIDENTIAL) & _service_users(m))
    new = res.filter((res.event_start >= p.start) & (res.event_start <= p.end))
    before = res.select(pk=res.person_key, s0=res.event_start, e0=res.event_end)
    already = new.inner_join(
        before,
        (new.person_key == before.pk)
        & (before.s0 < new.event_start)
        & (before.e0.isnull() | (before.e0 >= new.event_start - ibis.interval(days=1))),
    ).select(pk2=new.person_key, st2=new.event_start).distinct()
    new = new.left_join(already, (new.person_key == already.pk2)
                        & (new.event_start == already.st2))
    new = new.filter(new.pk2.isnull())
    first = new.group_by("person_key").aggregate(
        start=new.event_start.min(),
        birth_ym=new.birth_ym.max(),
    )
    return first.mutate(age=_age_at_col(first.birth_ym, first.start))


def _population(ctx: MeasureContext, low: int, high: int | None):
    pop = ctx.tables[POPULATION]
    pop = pop.filter(pop.year == ctx.period.start.year)
    # Bands such as "under 1" have no leading number; they are children, so count as 0.
    # nullif before the cast: engines evaluate every branch, so "" must never be cast.
    band_low = pop.age_band.re_extract(r"^(\d+)", 1).nullif("").cast("int64").fill_null(0)
    upper = pop.age_band.re_extract(r"^\d+\s*-\s*(\d+)$", 1).nullif("").cast("int64")
    band_high = ibis.cases(
        (pop.age_band.re_search(r"\+$"), 999),
        (upper.notnull(), upper),
        else_=band_low,
    )
    keep = band_low >= low
    if high is not None:
        keep = keep & (band_high <= high)
    return pop.filter(keep).population.sum()


def _admissions_rate(ctx: MeasureContext, low: int, high: int | None):
    a = _admissions(ctx)
    a = a.filter((a.age >= low) & (a.age <= high) if high is not None else a.age >= low)
    t = a.aggregate(numerator=a.count().cast("int64"))
    t = t.mutate(denominator=_population(ctx, low, high).cast("int64"))
    return t.mutate(
        value=ibis.ifelse(
            t.denominator > 0,
            t.numerator.cast("float64") * 100000.0 / t.denominator.cast("float64"),
            ibis.null().cast("float64"),
        )
    )


@measure("ASCOF-2B", unit="rate_per_100000", version=VERSION, needs=(TABLE, POPULATION))
def ascof_2b(ctx: MeasureContext, by: list[str]):
    """Permanent admissions to residential and nursing care, 18-64, per 100,000 population.

    Numerator: people whose first long-term residential or nursing care service starting in
    the year was not a continuation (no such service active the day before), aged 18-64 at
    its start. Denominator: population aged 18-64 (age bands wholly within 18-64) in the
    mid-year estimate for the year the period starts.
    """
    return _admissions_rate(ctx, 18, 64)


@measure("ASCOF-2C", unit="rate_per_100000", version=VERSION, needs=(TABLE, POPULATION))
def ascof_2c(ctx: MeasureContext, by: list[str]):
    """Permanent admissions to residential and nursing care, 65+, per 100,000 population."""
    return _admissions_rate(ctx, 65, None)


@measure("ASCOF-2A", unit="percent", version=VERSION, needs=(TABLE,), breakdowns=("age_band",))
def ascof_2a(ctx: MeasureContext, by: list[str]):
    """New clients' short-term support (ST-Max) with no further request for ongoing support.

    Denominator: service users aged 18+ whose ST-Max service ended in the year, who had no
    long-term support active on the day it started (new clients), leaving out ST-Max that
    ended by death, hospital admission, NHS-funded care or a move to another council (early
    cessation); the latest such ST-Max per person. Numerator: those with no long-term
    support service starting from the ST-Max start to 91 days after its end.
    """
    m = _main(ctx)
    p = ctx.period
    st = m.filter(
        (m.service_type == ST_MAX)
        & (m.event_end >= p.start) & (m.event_end <= p.end)
        & ~ibis.coalesce(m.event_outcome.isin(EARLY_CESSATION), False)
        & _service_users(m)
    )
    lts = m.filter(m.service_group == LTS).select(
        pk=m.person_key, ls=m.event_start, le=m.event_end
    )
    existing = st.inner_join(
        lts,
        (st.person_key == lts.pk) & (lts.ls <= st.event_start)
        & (lts.le.isnull() | (lts.le >= st.event_start)),
    ).select(k1=st.person_key, s1=st.event_start).distinct()
    st = st.left_join(existing, (st.person_key == existing.k1)
                      & (st.event_start == existing.s1))
    st = st.filter(st.k1.isnull())
    latest = st.mutate(
        _n=ibis.row_number().over(
            ibis.window(group_by=st.person_key,
                        order_by=[st.event_end.desc(), st.event_start.desc()])
        )
    ).filter(lambda t: t._n == 0)
    latest = latest.select("person_key", "birth_ym", "event_start", "event_end")
    followed = latest.inner_join(
        lts,
        (latest.person_key == lts.pk) & (lts.ls >= latest.event_start)
        & (lts.ls <= latest.event_end + ibis.interval(days=SEQUEL_DAYS)),
    ).select(k2=latest.person_key).distinct()
    people = latest.left_join(followed, latest.person_key == followed.k2)
    people = people.mutate(age_band=_age_band(_age_at_col(people.birth_ym, people.event_end)))
    people = people.filter(people.age_band != "under 18")
    return _ratio(people, by, people.k2.isnull())
