import json

from django.core.management import call_command

from carestat.core import demo as core_demo_module
from carestat.core.models import AuditEntry
from carestat.measures import demo
from carestat.measures.judging import judge
from carestat.measures.models import Measure, MeasureValue


def _load():
    org = core_demo_module.load(None, lambda msg: None)
    return demo.load(org, lambda msg: None)


def test_the_demo_loads_three_years_of_approved_history(story_day, db):
    # how long it takes is bench/'s business, not a unit test's
    org = _load()
    codes = set(Measure.objects.filter(organisation=org).values_list("code", flat=True))
    assert codes == {"WF-PERMANENT-SHARE", "OT-28DAYS", "ASC-REVIEWS-ONTIME", "SL-CARERS-LEFT"}
    assert MeasureValue.objects.filter(measure__code="OT-28DAYS").count() == 43
    assert AuditEntry.objects.filter(action="measures.value.approved", actor__username="priya.shah@demoshire.example"
                                     ).count() == 14 + 42 + 43 + 14
    assert not MeasureValue.objects.filter(source="computed").exists()


def test_the_demo_permanent_staff_share_is_82_percent_against_70_and_green(story_day, db, capsys):
    _load()
    call_command("measures", "--org", "demoshire", "--period", "2026-27-Q2", "--code", "WF-PERMANENT-SHARE", "--json")
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["value"], row["rag"], row["numerator"], row["denominator"]) == (82.0, "green", 246.0, 300.0)


def test_the_demo_ot_measure_shows_a_special_cause_improvement(story_day, db):
    org = _load()
    report = judge(Measure.objects.get(organisation=org, code="OT-28DAYS"), chart=False)
    assert report.latest.period == "2026-09"  # October 2026 awaits approval
    assert report.variation.value == "improving_high"


def test_the_demo_reviews_measure_recalculates_limits_from_its_process_change(story_day, db):
    org = _load()
    report = judge(Measure.objects.get(organisation=org, code="ASC-REVIEWS-ONTIME"), chart=False)
    assert len(report.judgement.spc.segments) == 2
    assert report.judgement.spc.segments[1].start == 18  # October 2024
