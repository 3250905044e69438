"""Wales's measures that CareStat's case data can support (reference/measure_catalogue.csv,
the WAL- codes), with Welsh rules counted on the organisation's own calendar.

- WAL-PM24: assessments completed (authorised) in the year within 42 working days *from the
  referral* (England's CIN-ASSESS-45WD counts 45 from the assessment's start). Working days
  are those after the referral date up to and including the authorisation date.
- WAL-PM33: children looked after on 31 March with three or more placements in the year,
  counted as LAC-3PLUS-PLACEMENTS counts them, from a 903-format return.
- WAL-PM18: adult protection enquiries (case events of the work type
  ``settings["adult_protection_work_type"]``, by default ``adult_protection_enquiry``)
  completed in the period within 7 working days after the day the report was received.

The working-day table is the jurisdiction's (the store builds it from the ``holidays``
package), so Wales's bank holidays are the ones skipped.
"""

from __future__ import annotations

import ibis

from carestat.analytics.measures.base import MeasureContext, measure
from carestat.analytics.measures.children import (
    _base,
    _children_measure,
    _latest,
    _p,
    _people,
    _wd_between,
    _with_person,
    three_placements,
)
from carestat.analytics.measures.operational import TABLE as CASE_EVENTS
from carestat.analytics.measures.operational import period_bounds

METHOD_VERSION = "1"
PM24_WORKING_DAYS = 42
PM18_WORKING_DAYS = 7
DEFAULT_ADULT_PROTECTION_WORK_TYPE = "adult_protection_enquiry"
WALES_CHILDREN_CODES = ("WAL-PM24", "WAL-PM33")


@_children_measure("WAL-PM24", unit="percent", needs=("cin_assessments", "cin_children"))
def assessments_in_42_days_from_referral(ctx: MeasureContext):
    a = _latest(ctx, ctx.tables["cin_assessments"], ["child_key", "start_date"])
    a = a.filter(a.authorised_date.between(_p(ctx, "p_start"), _p(ctx, "p_end")))
    a = a.mutate(category_of_need=a.primary_need.fill_null("unknown"))
    a = _wd_between(a, ctx.working_days, "referral_date", "authorised_date")
    t = _with_person(ctx, a, _people(ctx, ctx.tables["cin_children"]))
    return _base(t, t._wd <= PM24_WORKING_DAYS)


@_children_measure("WAL-PM33", unit="percent", needs=("lac_episodes", "lac_children"))
def three_or_more_placements(ctx: MeasureContext):
    return three_placements(ctx)


@measure("WAL-PM18", unit="percent", version=METHOD_VERSION, needs=(CASE_EVENTS,), breakdowns=("team",),
         additive=True)
def adult_protection_enquiries_in_7_days(ctx: MeasureContext, by: list[str]):
    """Adult protection enquiries completed in the period; numerator: within 7 working days."""
    start, end = period_bounds(ctx)
    t = ctx.tables[CASE_EVENTS]
    work_type = ctx.settings.get("adult_protection_work_type", DEFAULT_ADULT_PROTECTION_WORK_TYPE)
    done = t.filter((t.work_type == work_type) & (t.completed_at >= start) & (t.completed_at < end))
    done = _wd_between(done, ctx.working_days, "received_date", "completed_date")
    hit = (done._wd <= PM18_WORKING_DAYS).fill_null(False)
    grouped = done.group_by(by) if by else done
    return grouped.aggregate(numerator=ibis.ifelse(hit, 1, 0).sum().fill_null(0).cast("int64"),
                             denominator=done.count().cast("int64"))
