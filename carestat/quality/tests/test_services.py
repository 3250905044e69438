"""Quality services: the sample as asked, nothing stored on bad input, who sees free text,
share good or better into the measures, and findings into plan actions."""

import datetime as dt
import logging

import pytest
from django.core.management import call_command

from carestat.core.errors import InvalidInput, NotAllowed
from carestat.core.models import AuditEntry, Role
from carestat.quality import selectors, services
from carestat.quality.models import AuditKind, AuditRound, CaseAudit, SampledCase, ToolVersion
from carestat.quality.tests.builders import QUESTIONS, case_list, round_, teams, tool
from conftest import _member, access_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(admin_access, manager_access, contributor, demoshire):
    teams(admin_access)
    t = tool(manager_access)
    return {"tool": t, "tv": t.current}


def test_a_round_draws_the_cases_asked_of_each_team_and_keeps_no_identifier(manager_access, world):
    r = round_(manager_access, world["tv"])
    by = {}
    for c in r.cases.all():
        by[c.stratum] = by.get(c.stratum, 0) + 1
        assert not c.key.startswith(("E", "W"))  # keys, never the case system's identifiers
    assert by == {"Locality East": 4, "Locality West": 2}
    assert r.eligible == {"Locality East": 8, "Locality West": 5}  # 10 East less 2 closed
    assert r.excluded["closed"] == 2


def test_the_same_seed_on_the_same_list_draws_the_same_keys(manager_access, world):
    a = round_(manager_access, world["tv"], title="First")
    b = round_(manager_access, world["tv"], title="Second")
    assert sorted(a.cases.values_list("key", flat=True)) == sorted(b.cases.values_list("key", flat=True))


def test_cases_audited_recently_are_left_out_of_the_next_round(manager_access, world):
    first = round_(manager_access, world["tv"], title="First", requested={"Locality West": 3})
    second = round_(manager_access, world["tv"], title="Second", requested={"Locality West": 2},
                    audited_within_months=6)
    assert not set(first.cases.values_list("key", flat=True)) & set(second.cases.values_list("key", flat=True))
    assert second.excluded["recently_audited"] == 3


def test_a_stratum_larger_than_its_population_stores_nothing(manager_access, world):
    with pytest.raises(InvalidInput, match="Stratum ‘Locality West’ asks for 9 cases but has only 5 eligible"):
        round_(manager_access, world["tv"], requested={"Locality West": 9})
    assert not AuditRound.objects.exists() and not SampledCase.objects.exists()


def test_an_upload_naming_an_unknown_team_stores_nothing(manager_access, world):
    bad = case_list() + b"X1,Locality North,review,no,\n"
    with pytest.raises(InvalidInput, match="cases.csv, row 17, column team: ‘Locality North’ is not one"):
        round_(manager_access, world["tv"], case_list=bad)
    assert not AuditRound.objects.exists()


def test_a_tool_version_used_by_a_round_never_changes(manager_access, world):
    r = round_(manager_access, world["tv"])
    new = services.revise_tool(manager_access, world["tool"], questions=QUESTIONS[:1], note="Shorter")
    assert new.number == 2
    assert ToolVersion.objects.get(pk=r.tool_version_id).questions == QUESTIONS


def _allocated(manager_access, world, **kw):
    r = round_(manager_access, world["tv"], moderation_percent=50, **kw)
    cast = [m.user for m in services.eligible_auditors(manager_access.organisation)]
    services.allocate(manager_access, r, auditors=cast)
    return r


def test_allocation_never_gives_a_case_to_its_workers_manager(manager_access, manager, world):
    r = _allocated(manager_access, world, case_list=case_list(manager=manager.email),
                   requested={"Locality East": 4})
    assert CaseAudit.objects.filter(round=r, kind=AuditKind.AUDIT).count() == 4
    assert not CaseAudit.objects.filter(round=r, auditor=manager).exists()
    assert CaseAudit.objects.filter(round=r, kind=AuditKind.MODERATION).count() == 2  # 50% of 4


def _do(audit, overall, a1="good", b1="good"):
    access = access_for(audit.auditor, audit.organisation)
    return services.save_audit(access, audit, grades={"A1": a1, "B1": b1}, overall=overall, strengths="Clear plan",
                               improvements="Record the person's words", themes=["Voice of the person"], submit=True)


def test_share_good_matches_hand_arithmetic_and_is_written_as_measure_values(manager_access, world):
    r = _allocated(manager_access, world)
    audits = list(CaseAudit.objects.filter(round=r, kind=AuditKind.AUDIT).select_related("case"))
    grades = ["outstanding", "good", "good", "requires_improvement", "inadequate", "good"]
    for a, g in zip(audits, grades, strict=True):
        _do(a, g)
    res = selectors.round_results(r)
    # 4 of the 6 audits (1 outstanding + 3 good) are good or better: 66.7%
    assert (res.overall.good, res.overall.total, str(res.overall.percent)) == (4, 6, "66.7")
    east = [g for a, g in zip(audits, grades, strict=True) if a.case.team == "Locality East"]
    assert res.by_team["Locality East"].good == sum(g in ("outstanding", "good") for g in east)
    codes = services.record_measures(manager_access, r)
    assert codes[0] == "QA-GOOD-ADULTS"
    from carestat.measures.models import Measure

    v = Measure.objects.get(organisation=r.organisation, code="QA-GOOD-ADULTS").values.get(period="2026-27-Q3")
    assert (v.numerator, v.denominator, str(v.value)) == (4, 6, "66.6667")
    assert f"seed {r.seed}" in v.note


def test_a_grade_outside_the_scale_is_refused_and_nothing_saved(manager_access, world):
    r = _allocated(manager_access, world)
    a = CaseAudit.objects.filter(round=r, kind=AuditKind.AUDIT).first()
    with pytest.raises(InvalidInput, match="‘excellent’ is not a grade on this tool's scale"):
        services.save_audit(access_for(a.auditor, a.organisation), a, grades={"A1": "excellent"})
    assert not a.answers.exists()


def test_only_the_allocated_auditor_fills_in_an_audit(manager_access, contributor, world):
    r = _allocated(manager_access, world)
    a = CaseAudit.objects.filter(round=r, kind=AuditKind.AUDIT).exclude(auditor=contributor).first()
    with pytest.raises(NotAllowed):
        services.save_audit(access_for(contributor, a.organisation), a, grades={"A1": "good"})


def test_free_text_is_for_allocated_auditors_and_managers_only(manager_access, viewer, contributor, world, demoshire):
    r = _allocated(manager_access, world)
    other = _member(demoshire, Role.CONTRIBUTOR, "ola@demoshire.example", "Ola Bright")
    a = CaseAudit.objects.filter(round=r, kind=AuditKind.AUDIT).exclude(auditor=other).first()
    assert services.can_see_text(access_for(a.auditor, demoshire), a)
    assert services.can_see_text(manager_access, a)
    assert not services.can_see_text(access_for(viewer, demoshire), a)
    allocated = set(CaseAudit.objects.filter(case=a.case).values_list("auditor_id", flat=True))
    if other.pk not in allocated:
        assert not services.can_see_text(access_for(other, demoshire), a)


def test_a_finding_creates_a_plan_action_and_keeps_the_link(manager_access, admin, world):
    from carestat.plans import services as plans

    r = round_(manager_access, world["tv"])
    plan = plans.create_plan(manager_access, kind="portfolio", title="Portfolio plan", start=dt.date(2026, 4, 1),
                             end=dt.date(2028, 3, 31))
    obj = plans.add_objective(manager_access, plans.add_priority(manager_access, plan, title="Safeguarding"),
                              statement="People are safe")
    link = services.action_from_finding(manager_access, r, objective=obj, title="Coach staff on recording voice",
                                        due=dt.date(2027, 3, 31), finding="Voice of the person often missing",
                                        theme_name="Voice of the person")
    assert link.action.objective == obj and link.action.audit_findings.get() == link


def test_reidentify_never_stores_or_logs_the_key(tmp_path, manager_access, world, caplog, capsys):
    from django.conf import settings

    from carestat.casedata.services import pseudonymiser

    key = settings.PSEUDONYMISATION_KEY
    key = key if isinstance(key, str) else key.decode()
    r = round_(manager_access, world["tv"])
    (tmp_path / "key").write_text(key)
    (tmp_path / "sample.csv").write_text(services.sample_csv(r))
    (tmp_path / "list.csv").write_text("person_id,case_reference\n" + "".join(
        f"E{i},REF-E{i}\n" for i in range(8)) + "".join(f"W{i},REF-W{i}\n" for i in range(5)))
    before = AuditEntry.objects.count()
    with caplog.at_level(logging.DEBUG):
        call_command("quality", "reidentify", "--case-list", str(tmp_path / "list.csv"), "--key-file",
                     str(tmp_path / "key"), "--sample", str(tmp_path / "sample.csv"), "--json")
    out = capsys.readouterr().out
    import json

    rows = json.loads(out)
    assert len(rows) == 6 and all(row["case_reference"].startswith("REF-") for row in rows)
    e0 = pseudonymiser()("E0", kind="adult")
    assert all(row["case_reference"] == "REF-E0" for row in rows if row["key"] == e0)
    assert AuditEntry.objects.count() == before  # nothing recorded
    assert key not in caplog.text and key not in out
    for entry in AuditEntry.objects.all():
        assert key not in f"{entry.message}{entry.before}{entry.after}"
