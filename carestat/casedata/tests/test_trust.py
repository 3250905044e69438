"""A return can never silently replace a council's real figures (issue 11, part 1): another
council's return, one with no accepted records, or one with far fewer records is refused, and a
recomputed figure that would change an approved one waits for a manager."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from carestat.analytics.demo import write_children_demo
from carestat.analytics.demo.adults import write_adults_demo
from carestat.casedata import services
from carestat.casedata.models import Submission, SubmissionStatus
from carestat.casedata.tests.builders import rewritten_census as _rewritten
from carestat.core.models import AuditEntry
from carestat.measures.models import MeasureValue, PendingRevision, RevisionStatus
from tests.samples import SAMPLES

CODE = "CIN-ASSESS-45WD"


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.CARESTAT_JOBS_INLINE = True


@pytest.fixture(scope="module")
def children(tmp_path_factory):
    return write_children_demo(tmp_path_factory.mktemp("children"), seed=5, years=(2024, 2025),
                               cin_children=400, lac_children=60)


@pytest.fixture(scope="module")
def adults(tmp_path_factory):
    return write_adults_demo(tmp_path_factory.mktemp("adults"), seed=5, start=dt.date(2023, 10, 1), years=2)


@pytest.fixture
def census(children):
    return children["cin"][-1]  # 2024-25, local authority 999 (Demoshire's)


def _value(org, code=CODE, period="2024-25"):
    return MeasureValue.objects.get(measure__organisation=org, measure__code=code, period=period)


@pytest.mark.django_db
def test_another_councils_census_is_rejected_even_accepting_errors_and_the_real_one_stays(
        manager_access, census, tmp_path):
    real = services.ingest(manager_access, [census])
    before = _value(manager_access.organisation)
    other = _rewritten(census, tmp_path / "other" / census.name, lea="201")
    refused = services.ingest(manager_access, [other], accept_with_errors=True)
    assert refused.status == SubmissionStatus.REJECTED
    assert "local authority 201, not this organisation's (999)" in refused.rejection_reason
    first = refused.problems.first()
    assert (first.file, first.location, first.field, first.rule) == (
        census.name, "/Message/Header/Source/LEA", "LA code", "la-code")
    real.refresh_from_db()
    assert real.status == SubmissionStatus.CURRENT
    after = _value(manager_access.organisation)
    assert (after.value, after.version) == (before.value, before.version)
    with services.open_store(manager_access.organisation) as store:
        assert [s["id"] for s in store.submissions()] == [real.store_id]


@pytest.mark.django_db
def test_a_council_without_an_la_code_is_told_how_to_set_it_and_then_loads(manager_access, admin, census):
    org = manager_access.organisation
    org.la_code = ""
    org.save(update_fields=["la_code"])
    refused = services.ingest(manager_access, [census])
    assert refused.status == SubmissionStatus.REJECTED
    assert "has no local authority code set" in refused.rejection_reason
    assert "carestat changeorg" in refused.rejection_reason
    call_command("changeorg", org="demoshire", la_code="999")
    org.refresh_from_db()  # as the next request would read it
    assert services.ingest(manager_access, [census]).status == SubmissionStatus.CURRENT
    assert AuditEntry.objects.filter(action="core.organisation.changed", organisation=org,
                                     message__contains="Local authority code").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["cld", "csww"])
def test_another_councils_adult_data_or_workforce_census_is_rejected(manager_access, adults, fmt, tmp_path):
    source = adults["cld"][0]["path"] if fmt == "cld" else adults["workforce"][0]
    text = Path(source).read_text()
    changed = text.replace("\n999,", "\n201,") if fmt == "cld" else text.replace("<LEA>999</LEA>", "<LEA>201</LEA>")
    assert changed != text
    other = tmp_path / Path(source).name
    other.write_text(changed)
    refused = services.ingest(manager_access, [other], format=fmt, accept_with_errors=True)
    assert refused.status == SubmissionStatus.REJECTED
    assert "local authority 201, not this organisation's (999)" in refused.rejection_reason
    assert services.ingest(manager_access, [source], format=fmt, accept_with_errors=True).status == "current"


@pytest.mark.django_db
def test_a_return_in_which_no_record_is_accepted_is_rejected_rather_than_made_current(manager_access):
    sample = SAMPLES / "ssda903" / "SSDA903_2020_episodes.csv"  # both its children have rule errors
    refused = services.ingest(manager_access, [sample], year=2020, accept_with_errors=True)
    assert refused.status == SubmissionStatus.REJECTED
    assert refused.rejection_reason.startswith("no records were accepted (all 2 records have errors)")
    assert not Submission.objects.filter(organisation=manager_access.organisation,
                                         status=SubmissionStatus.CURRENT).exists()
    with services.open_store(manager_access.organisation) as store:
        assert store.submissions() == []


@pytest.mark.django_db
def test_a_replacement_with_far_fewer_records_waits_for_confirmation_and_then_supersedes(
        manager_access, census, tmp_path):
    real = services.ingest(manager_access, [census])
    short = _rewritten(census, tmp_path / "short" / census.name, keep_every=3)
    refused = services.ingest(manager_access, [short])
    assert refused.status == SubmissionStatus.REJECTED
    total = real.total_rows
    assert f"rows where the current submission for 2024-25 holds {total:,}" in refused.rejection_reason
    assert "fewer" in refused.rejection_reason and "confirming" in refused.rejection_reason
    real.refresh_from_db()
    assert real.status == SubmissionStatus.CURRENT
    confirmed = services.ingest(manager_access, [short], confirm_fewer=True)
    real.refresh_from_db()
    assert confirmed.status == SubmissionStatus.CURRENT and confirmed.total_rows < 0.8 * total
    assert real.status == SubmissionStatus.SUPERSEDED and real.superseded_by == confirmed


@pytest.mark.django_db
def test_the_command_line_and_the_api_confirm_a_replacement_with_fewer_records(
        client, manager, manager_access, census, tmp_path):
    services.ingest(manager_access, [census])
    short = _rewritten(census, tmp_path / "short" / census.name, keep_every=3)
    with pytest.raises(CommandError, match="fewer"):
        call_command("ingest", str(short), org="demoshire")
    client.force_login(manager)
    with short.open("rb") as fh:
        refused = client.post("/api/v1/organisations/demoshire/submissions", {"files": fh})
    assert refused.status_code == 201 and refused.json()["status"] == "rejected"
    with short.open("rb") as fh:
        loaded = client.post("/api/v1/organisations/demoshire/submissions",
                             {"files": fh, "confirm_fewer_records": "true"})
    assert loaded.json()["status"] == "current"


def _with_a_pending_revision(access, census, tmp_path) -> tuple[MeasureValue, PendingRevision]:
    services.ingest(access, [census])
    approved = _value(access.organisation)
    short = _rewritten(census, tmp_path / "short" / census.name, keep_every=3)
    services.ingest(access, [short], confirm_fewer=True)
    revision = PendingRevision.objects.get(current=approved, status=RevisionStatus.PENDING)
    return approved, revision


@pytest.mark.django_db
def test_a_recomputed_figure_that_would_change_an_approved_one_waits_for_a_manager(
        manager_access, census, tmp_path):
    approved, revision = _with_a_pending_revision(manager_access, census, tmp_path)
    now = _value(manager_access.organisation)
    assert (now.value, now.version, now.is_approved) == (approved.value, approved.version, True)
    assert revision.replaces_value == approved.value and revision.value != approved.value
    assert AuditEntry.objects.filter(action="measures.value.recomputed_pending", record_id=str(approved.pk),
                                     message__contains="awaits a manager's approval").exists()
    # recomputing the same data again proposes nothing new
    services.recompute(manager_access)
    assert PendingRevision.objects.filter(current=approved).count() == 1


@pytest.mark.django_db
def test_a_manager_approves_a_recomputed_figure_on_the_page_and_the_old_one_stays_in_history(
        client, manager, manager_access, census, tmp_path):
    approved, revision = _with_a_pending_revision(manager_access, census, tmp_path)
    client.force_login(manager)
    listing = client.get("/o/demoshire/measures/recomputed/").content.decode()
    assert CODE in listing and "Approved figure" in listing and "Recomputed figure" in listing
    assert f"{approved.value:.1f}%" in listing and f"{revision.value:.1f}%" in listing
    detail = client.get(f"/o/demoshire/measures/{CODE}/").content.decode()
    assert "A recomputed figure awaits approval for 2024-25" in detail
    assert client.post(f"/o/demoshire/measures/recomputed/{revision.pk}/approve/").status_code == 302
    value = _value(manager_access.organisation)
    assert value.value == revision.value and value.approved_by == manager
    assert value.revisions.get(version=approved.version).value == approved.value
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.APPROVED and revision.decided_by == manager


@pytest.mark.django_db
def test_a_rejected_recomputed_figure_needs_a_reason_keeps_the_approved_one_and_is_not_offered_again(
        client, manager, manager_access, census, tmp_path):
    approved, revision = _with_a_pending_revision(manager_access, census, tmp_path)
    client.force_login(manager)
    blank = client.post(f"/o/demoshire/measures/recomputed/{revision.pk}/reject/", {"reason": ""})
    assert blank.status_code == 200 and "Say why the recomputed figure is wrong" in blank.content.decode()
    api = client.post(f"/api/v1/organisations/demoshire/recomputed-figures/{revision.pk}/reject",
                      {"reason": "The short return was a partial extract"}, content_type="application/json")
    assert api.status_code == 200 and api.json()["status"] == "rejected"
    assert _value(manager_access.organisation).value == approved.value
    services.recompute(manager_access)
    assert not PendingRevision.objects.filter(current=approved, status=RevisionStatus.PENDING).exists()


@pytest.mark.django_db
def test_only_managers_decide_and_another_councils_figures_are_not_found(
        client, contributor, outsider, manager_access, census, tmp_path):
    _, revision = _with_a_pending_revision(manager_access, census, tmp_path)
    client.force_login(contributor)
    listed = client.get("/api/v1/organisations/demoshire/recomputed-figures").json()
    assert revision.pk in [r["id"] for r in listed]
    assert client.post(f"/api/v1/organisations/demoshire/recomputed-figures/{revision.pk}/approve").status_code == 403
    assert client.post(f"/o/demoshire/measures/recomputed/{revision.pk}/approve/").status_code == 403
    client.force_login(outsider)
    assert client.post(f"/api/v1/organisations/westmarch/recomputed-figures/{revision.pk}/approve").status_code == 404


@pytest.mark.django_db
def test_an_organisation_that_opts_in_has_recomputed_figures_approved_automatically(
        client, admin, manager_access, census, tmp_path):
    client.force_login(admin)
    page = client.post("/o/demoshire/measures/recomputed/", {"auto_approve_recomputed": "on"})
    assert page.status_code == 302
    assert client.get("/api/v1/organisations/demoshire/case-data-settings").json() == {
        "auto_approve_recomputed": True}
    services.ingest(manager_access, [census])
    approved = _value(manager_access.organisation)
    short = _rewritten(census, tmp_path / "short" / census.name, keep_every=3)
    services.ingest(manager_access, [short], confirm_fewer=True)
    now = _value(manager_access.organisation)
    assert now.value != approved.value and now.version == approved.version + 1
    assert not PendingRevision.objects.exists()
    assert AuditEntry.objects.filter(action="casedata.settings.changed", organisation=admin.memberships.first()
                                     .organisation).exists()


@pytest.mark.django_db
def test_a_measure_is_not_recorded_from_a_return_that_does_not_feed_it(manager_access, children):
    """Loading a CIN census must not record children-looked-after figures (0, from no SSDA903
    return), which a real SSDA903 return would then have to revise through approval."""
    services.ingest(manager_access, [children["cin"][-1]])
    org = manager_access.organisation
    assert MeasureValue.objects.filter(measure__organisation=org, measure__code=CODE).exists()
    assert not MeasureValue.objects.filter(measure__organisation=org, measure__code__startswith="LAC-").exists()
    lac = services.ingest(manager_access, [p for p in children["ssda903"] if "2025" in p.name], year=2025)
    value = _value(org, "LAC-COUNT")
    assert value.submissions == [f"S{lac.pk}"] and not PendingRevision.objects.exists()


@pytest.mark.django_db
def test_a_refused_replacements_page_says_why_in_a_sentence_and_stores_no_rows(client, manager, manager_access,
                                                                              census, tmp_path):
    services.ingest(manager_access, [census])
    refused = services.ingest(manager_access, [_rewritten(census, tmp_path / "s" / census.name, keep_every=3)])
    assert refused.row_counts == {}
    client.force_login(manager)
    page = client.get(f"/o/demoshire/data/{refused.pk}/").content.decode()
    assert "nothing from it was stored. It holds" in page and "Rows stored" not in page
