"""A council that is not the demo, set up from the command line: createorg, then ingest, with
nobody else set up. The loads and their measures must work, and a failure part way must be
recoverable (issue 22)."""

import datetime as dt
import os

import pytest
from django.core.management import CommandError, call_command

from carestat.analytics.demo import write_children_demo
from carestat.analytics.demo.adults import write_adults_demo
from carestat.casedata import services
from carestat.casedata.models import Submission, SubmissionStatus
from carestat.core.models import AuditEntry, Organisation, User
from carestat.core.services import COMMAND_LINE_USERNAME
from carestat.measures.models import MeasureValue


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.CARESTAT_JOBS_INLINE = True


@pytest.fixture(scope="module")
def children(tmp_path_factory):
    return write_children_demo(tmp_path_factory.mktemp("children"), seed=11, years=(2024, 2025),
                               cin_children=300, lac_children=90)


@pytest.fixture(scope="module")
def adults(tmp_path_factory):
    return write_adults_demo(tmp_path_factory.mktemp("adults"), seed=11, start=dt.date(2023, 10, 1), years=2)


def _files(fmt, children, adults):
    """(paths, extra ingest options, a measure the format computes) for each format."""
    if fmt == "cin":
        return [children["cin"][-1]], {}, "CIN-ASSESS-45WD"
    if fmt == "ssda903":
        return [p for p in children["ssda903"] if "2025" in p.name], {"year": 2025}, "LAC-COUNT"
    if fmt == "case_events":
        return [adults["case_events"]], {}, "OPS-BACKLOG"
    if fmt == "cld":
        # ASCOF measures are annual: the submission that covers a whole financial year
        whole_year = (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
        return [next(f["path"] for f in adults["cld"] if f["period"] == whole_year)], {}, "ASCOF-2A"
    if fmt == "csww":
        return [adults["workforce"][-1]], {}, "CSWW-CASELOAD"
    return [adults["population"]], {}, None


def _createorg():
    call_command("createorg", "Holdout Council", slug="holdout", jurisdiction="england", la_code="999")
    return Organisation.objects.get(slug="holdout")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["cin", "ssda903", "case_events", "cld", "csww", "population"])
def test_a_new_council_with_no_members_loads_each_format_from_the_command_line_and_gets_its_measures(
        fmt, children, adults, capsys):
    org = _createorg()
    assert not org.memberships.exists()
    paths, options, code = _files(fmt, children, adults)
    call_command("ingest", *map(str, paths), org="holdout", format=fmt, **options)
    submission = Submission.objects.get(organisation=org)
    assert submission.status == SubmissionStatus.CURRENT
    assert submission.measures_computed_at is not None and submission.measures_error == ""
    operator = User.objects.get(username=COMMAND_LINE_USERNAME)
    assert submission.loaded_by == operator
    loaded = AuditEntry.objects.get(action="casedata.submission.loaded", organisation=org)
    assert loaded.actor == operator and loaded.message.startswith("Command line (server operator) loaded")
    if code:
        value = MeasureValue.objects.filter(measure__organisation=org, measure__code=code).first()
        assert value is not None and value.is_approved and f"S{submission.pk}" in value.submissions
        assert value.entered_by == operator
    assert "Loaded submission" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_command_line_account_cannot_sign_in_or_be_added_to_an_organisation(demoshire, admin):
    from carestat.core.errors import InvalidInput
    from carestat.core.services import add_member, command_line_user
    from conftest import access_for

    operator = command_line_user()
    assert operator.pk and not operator.is_active and not operator.has_usable_password()
    assert command_line_user() == operator  # one account, however often it is asked for
    with pytest.raises(InvalidInput):
        add_member(access_for(admin, demoshire), email=COMMAND_LINE_USERNAME, role="admin")


def _fail_once(monkeypatch):
    """Make recording computed values fail once, as a bug or a database error would."""
    from carestat.measures import services as measure_services

    real = measure_services.record_computed_values
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("the measures database was unavailable")
        return real(*args, **kwargs)

    monkeypatch.setattr(measure_services, "record_computed_values", failing)


@pytest.mark.django_db
def test_a_load_whose_measures_fail_stays_loaded_says_so_and_recompute_computes_them(
        children, monkeypatch, capsys):
    org = _createorg()
    _fail_once(monkeypatch)
    with pytest.raises(CommandError) as failed:
        call_command("ingest", str(children["cin"][-1]), org="holdout")
    assert "Loaded; measures not yet computed: the measures database was unavailable" in str(failed.value)
    assert "carestat recompute --org holdout" in str(failed.value)
    submission = Submission.objects.get(organisation=org)
    assert submission.status == SubmissionStatus.CURRENT and submission.measures_pending
    assert submission.measures_error == "the measures database was unavailable"
    assert not MeasureValue.objects.filter(measure__organisation=org).exists()
    assert AuditEntry.objects.filter(action="casedata.measures.failed", organisation=org).exists()

    call_command("recompute", org="holdout")
    submission.refresh_from_db()
    assert not submission.measures_pending and submission.measures_error == ""
    value = MeasureValue.objects.get(measure__organisation=org, measure__code="CIN-ASSESS-45WD")
    assert value.submissions == [f"S{submission.pk}"]
    assert "new" in capsys.readouterr().out


@pytest.mark.django_db
def test_loading_the_same_file_again_computes_the_measures_a_failed_load_left_out(children, monkeypatch):
    org = _createorg()
    _fail_once(monkeypatch)
    with pytest.raises(CommandError):
        call_command("ingest", str(children["cin"][-1]), org="holdout")
    call_command("ingest", str(children["cin"][-1]), org="holdout")  # a duplicate: nothing stored twice
    assert list(Submission.objects.filter(organisation=org).values_list("status", flat=True)) == [
        SubmissionStatus.DUPLICATE, SubmissionStatus.CURRENT]
    assert not Submission.objects.get(organisation=org, status=SubmissionStatus.CURRENT).measures_pending
    assert MeasureValue.objects.filter(measure__organisation=org, measure__code="CIN-ASSESS-45WD").exists()


@pytest.mark.django_db
def test_the_data_pages_show_a_load_whose_measures_failed_and_a_manager_computes_them(
        client, manager, demoshire, children, monkeypatch):
    from conftest import access_for

    _fail_once(monkeypatch)

    submission = services.ingest(access_for(manager, demoshire), [children["cin"][-1]])
    assert submission.measures_pending and submission.measures_error
    client.force_login(manager)
    listing = client.get("/o/demoshire/data/").content.decode()
    assert "Measures not computed" in listing and "Compute measures now" in listing
    detail = client.get(f"/o/demoshire/data/{submission.pk}/").content.decode()
    assert "Loaded; measures not yet computed: the measures database was unavailable" in detail
    response = client.post("/o/demoshire/data/recompute/", {"next": f"/o/demoshire/data/{submission.pk}/"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert not submission.measures_pending
    assert MeasureValue.objects.filter(measure__organisation=demoshire, measure__code="CIN-ASSESS-45WD").exists()


@pytest.mark.django_db
def test_a_viewer_cannot_recompute_measures(client, viewer, demoshire):
    client.force_login(viewer)
    assert client.post("/o/demoshire/data/recompute/").status_code == 403


@pytest.mark.django_db
def test_the_api_recomputes_and_shows_each_submissions_measures_state(client, manager, demoshire, children,
                                                                      monkeypatch):
    from conftest import access_for

    _fail_once(monkeypatch)
    submission = services.ingest(access_for(manager, demoshire), [children["cin"][-1]])
    client.force_login(manager)
    listed = client.get("/api/v1/organisations/demoshire/submissions").json()
    assert listed[0]["measures_computed_at"] is None
    assert listed[0]["measures_error"] == "the measures database was unavailable"
    done = client.post("/api/v1/organisations/demoshire/recompute", {"period": "2024-25"},
                       content_type="application/json")
    assert done.status_code == 200 and "CIN-ASSESS-45WD 2024-25" in done.json()["created"]
    submission.refresh_from_db()
    assert not submission.measures_pending


@pytest.mark.django_db
def test_the_readme_path_for_a_real_council_creates_an_admin_loads_a_return_and_writes_a_report(
        children, tmp_path, monkeypatch, capsys):
    """README, 'A real council': createorg, adduser as admin, ingest, measures, report."""
    _createorg()
    monkeypatch.setenv("HOLDOUT_ADMIN_PASSWORD", "a-long-admin-passphrase-2026")
    call_command("adduser", "ruth.ade@holdout.example", name="Ruth Ade", org="holdout", role="admin",
                 password_from_env="HOLDOUT_ADMIN_PASSWORD")
    call_command("ingest", str(children["cin"][-1]), org="holdout", as_user="ruth.ade@holdout.example")
    value = MeasureValue.objects.get(measure__organisation__slug="holdout", measure__code="CIN-ASSESS-45WD",
                                     period="2024-25")
    assert value.entered_by.username == "ruth.ade@holdout.example"
    out = tmp_path / "report.html"
    call_command("report", org="holdout", period="2025-26", format="html", output=str(out))
    html = out.read_text()
    assert "Holdout Council" in html and "CIN-ASSESS-45WD" in html
    assert os.path.getsize(out) > 1000
