"""The demo's Welsh council and island, loaded through the services and import paths."""

import pytest

from carestat.core.models import Organisation
from carestat.core.tenancy import scoped_to
from carestat.measures.models import Measure, MeasureValue
from carestat.reports.models import Report


@pytest.fixture
def demo(story_day, db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CARESTAT_JOBS_INLINE = True
    from carestat.core import demo as core_demo
    from carestat.jurisdictions import demo

    org = core_demo.load(None, lambda msg: None)
    with scoped_to(org):
        return demo.load(org, lambda msg: None)


def test_glanmor_computes_wales_measures_from_its_returns_and_reports_by_quality_standard(demo):
    glanmor = Organisation.objects.get(slug="glanmor")
    with scoped_to(glanmor):
        computed = set(MeasureValue.objects.filter(measure__organisation=glanmor, source="computed")
                       .values_list("measure__code", flat=True))
        assert {"WAL-PM24", "WAL-PM33", "WAL-PM18"} <= computed
        # no England measure is computed for a Welsh council
        assert not {c for c in computed if c.startswith(("CIN-", "LAC-"))}
        pm24 = MeasureValue.objects.get(measure__organisation=glanmor, measure__code="WAL-PM24", period="2025-26")
        assert pm24.submissions and pm24.denominator > 0
        plan = glanmor.plans.get()
        assert [p.title for p in plan.priorities.order_by("position")] == [
            "Quality of practice", "Workforce capacity", "Commissioning", "Service and financial performance"]
        report = Report.objects.get(organisation=glanmor)
        titles = [g["title"] for g in report.snapshot["framework"]["groups"]]
        assert titles[0].startswith("Quality standard 1") and any(t.startswith("Quality standard 3") for t in titles)
        shown = {m["code"]: m for m in report.snapshot["measures"]}
        assert shown["WAL-PM20A"]["national"] == "43.9%"


def test_jersey_names_its_bodies_and_reports_its_local_measures_under_those_names(demo):
    jersey = Organisation.objects.get(slug="jersey")
    with scoped_to(jersey):
        assert Measure.objects.filter(organisation=jersey, catalogue=None).count() == 3
        report = Report.objects.get(organisation=jersey)
        assert report.snapshot["terms"]["external_auditor"] == "Comptroller and Auditor General"
        assert report.snapshot["terms"]["council"] == "States Assembly"
        assert "framework" not in report.snapshot
