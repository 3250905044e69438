import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from carestat.analytics.demo import write_children_demo
from carestat.analytics.demo.children import write_903_year
from carestat.casedata import services
from carestat.casedata.models import Submission, SubmissionProblem, SubmissionStatus
from carestat.core.errors import NotAllowed
from carestat.core.models import AuditEntry
from conftest import access_for
from tests.samples import sample_files


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.CARESTAT_JOBS_INLINE = True


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    out = tmp_path_factory.mktemp("children")
    return write_children_demo(out, seed=7, years=(2023, 2024), cin_children=400, lac_children=120)


def _episodes_with_bad_date(tmp_path, demo_files) -> Path:
    source = next(p for p in demo_files["ssda903"] if "episodes" in p.name and "2024" in p.name)
    lines = source.read_text().splitlines()
    header = lines[0].split(",")
    col = header.index("DECOM")
    cells = lines[3].split(",")
    cells[col] = "31/13/2023"
    lines[3] = ",".join(cells)
    bad = tmp_path / source.name
    bad.write_text("\n".join(lines) + "\n")
    return bad


def _903_with_an_early_review(tmp_path) -> list[Path]:
    """A 2023-24 return: child 7 in care from 1 June 2023, reviewed on 20 May 2023 (the review
    of an earlier period of care, or one entered late)."""
    child = {"id": "7", "dob": dt.date(2012, 1, 1), "sex": "1", "episodes": [
        {"decom": dt.date(2023, 6, 1), "rne": "S", "ls": "C2", "cin": "N1", "place": "U1",
         "dec": None, "rec": None}]}
    files = write_903_year([child], 2024, tmp_path)
    reviews = next(f for f in files if f.name == "SSDA903_2024_reviews.csv")
    reviews.write_text("CHILD,DOB,REVIEW,REVIEW_CODE\n7,01/01/2012,20/05/2023,PN1\n")
    return files


def test_a_903_review_before_care_began_loads_and_its_warning_names_file_row_field_and_rule(
        demoshire, admin, tmp_path, capsys):
    from carestat.measures.models import MeasureValue

    call_command("ingest", *map(str, _903_with_an_early_review(tmp_path)), "--org", "demoshire")
    out = capsys.readouterr().out
    assert "warning [CS903-REVIEW] SSDA903_2024_reviews.csv, row 2, REVIEW: A review is dated" in out
    submission = Submission.objects.get(organisation=demoshire)
    assert submission.status == SubmissionStatus.CURRENT and not submission.accepted_with_errors
    assert (submission.error_count, submission.warning_count, submission.quarantined_records) == (0, 1, 0)
    assert submission.row_counts == {"lac_children": 1, "lac_episodes": 1}
    problem = SubmissionProblem.objects.get(submission=submission)
    assert (problem.severity, problem.rule, problem.file, problem.location, problem.field) == (
        "warning", "CS903-REVIEW", "SSDA903_2024_reviews.csv", "row 2", "REVIEW")
    value = MeasureValue.objects.get(measure__organisation=demoshire, measure__code="LAC-COUNT",
                                     period="2023-24")
    assert value.value == 1  # the reviewed child is counted, not left out


def test_a_valid_cin_census_loads_and_its_measures_are_recorded_with_provenance(manager_access, demo_files):
    from carestat.measures.models import MeasureValue

    submission = services.ingest(manager_access, [demo_files["cin"][1]])
    assert submission.status == SubmissionStatus.CURRENT
    assert submission.period_label == "2023-24" and submission.row_counts["cin_children"] > 100
    values = MeasureValue.objects.filter(measure__organisation=manager_access.organisation,
                                         measure__code="CIN-ASSESS-45WD", period="2023-24")
    assert values.count() == 1
    value = values.get()
    assert value.source == "computed" and f"S{submission.pk}" in value.submissions
    assert value.method_version and value.computed_at is not None
    assert AuditEntry.objects.filter(action="casedata.submission.loaded", record_id=str(submission.pk)).exists()


def test_loading_the_same_file_twice_changes_nothing(manager_access, demo_files):
    first = services.ingest(manager_access, [demo_files["cin"][0]])
    again = services.ingest(manager_access, [demo_files["cin"][0]])
    assert first.status == SubmissionStatus.CURRENT and again.status == SubmissionStatus.DUPLICATE
    with services.open_store(manager_access.organisation) as store:
        assert len(store.submissions()) == 1


def test_a_903_episodes_file_with_a_bad_date_is_rejected_naming_the_row_and_field(manager_access, demo_files,
                                                                                  tmp_path):
    bad = _episodes_with_bad_date(tmp_path, demo_files)
    submission = services.ingest(manager_access, [bad], year=2024)
    assert submission.status == SubmissionStatus.REJECTED
    problem = SubmissionProblem.objects.filter(submission=submission, field="DECOM", location="row 4").first()
    assert problem is not None and "31/13/2023" in problem.message
    with services.open_store(manager_access.organisation) as store:
        assert store.submissions() == []  # nothing from the submission is stored


def test_a_file_that_is_not_xml_is_rejected_whole(manager_access, tmp_path):
    junk = tmp_path / "CIN_Census_2024.xml"
    junk.write_text("this is not xml")
    submission = services.ingest(manager_access, [junk], format="cin")
    assert submission.status == SubmissionStatus.REJECTED and "CIN_Census_2024.xml" in submission.rejection_reason


def test_every_sample_cin_file_is_rejected_with_its_errors_listed(manager_access):
    org = manager_access.organisation
    org.la_code = "201"  # the samples' LEA, so their own rule errors are what reject them
    org.save(update_fields=["la_code"])
    for path in sample_files("cin", "*.xml"):
        submission = services.ingest(manager_access, [path])
        assert submission.status == SubmissionStatus.REJECTED, path.name
        assert submission.error_count == SubmissionProblem.objects.filter(submission=submission,
                                                                          severity="error").count() > 0
        assert not SubmissionProblem.objects.filter(submission=submission, rule="la-code").exists()


def test_a_viewer_cannot_load_data(viewer, demoshire, demo_files):
    with pytest.raises(NotAllowed):
        services.ingest(access_for(viewer, demoshire), [demo_files["cin"][0]])
    assert not Submission.objects.exists()


def test_the_upload_page_loads_a_return_and_deletes_the_raw_file(client, manager, demo_files, settings):
    client.force_login(manager)
    with demo_files["cin"][0].open("rb") as fh:
        response = client.post("/o/demoshire/data/load/", {"return_files": fh})
    assert response.status_code == 302 and "/jobs/" in response["Location"]
    job_page = client.get(response["Location"]).content.decode()
    submission = Submission.objects.get()
    assert f"/o/demoshire/data/{submission.pk}/" in job_page
    assert not any(p.is_file() for p in Path(settings.UPLOADS_DIR).rglob("*"))
    page = client.get(f"/o/demoshire/data/{submission.pk}/").content.decode()
    # rows stored are named as people know them, not by the store's table names
    assert "Data quality" in page and "Section 47 enquiries" in page and "cin_children" not in page


def test_the_upload_page_without_a_file_says_so(client, manager):
    client.force_login(manager)
    page = client.post("/o/demoshire/data/load/", {}).content.decode()
    assert "Choose the file or files to load" in page
    assert not Submission.objects.exists()


def test_the_command_line_prints_progress_and_fails_with_the_report(demoshire, admin, demo_files, tmp_path, capsys):
    call_command("ingest", str(demo_files["cin"][0]), "--org", "demoshire")
    out = capsys.readouterr().out
    assert "Loaded submission" in out and "(" in out
    bad = _episodes_with_bad_date(tmp_path, demo_files)
    with pytest.raises(CommandError, match="Not loaded"):
        call_command("ingest", str(bad), "--org", "demoshire", "--year", "2024")
    assert "row 4, DECOM" in capsys.readouterr().err


def test_the_api_loads_a_return_and_reports_problems(client, manager, demo_files, tmp_path):
    from carestat.core import services as core_services

    token = core_services.create_api_token(manager, "loader")[1]
    bad = _episodes_with_bad_date(tmp_path, demo_files)
    with bad.open("rb") as fh:
        response = client.post("/api/v1/organisations/demoshire/submissions", {"files": fh, "year": "2024"},
                               HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "rejected"
    assert any(p["location"] == "row 4" and p["field"] == "DECOM" for p in body["problems"])


def test_accepting_with_errors_leaves_records_out_and_every_measure_says_so(manager_access, demo_files, tmp_path):
    import re

    from carestat.measures.models import MeasureValue

    source = demo_files["cin"][1]
    text = source.read_text()
    text = re.sub(r"<AssessmentAuthorisationDate>[^<]*<", "<AssessmentAuthorisationDate>2023-13-45<", text, count=1)
    broken = tmp_path / source.name
    broken.write_text(text)
    rejected = services.ingest(manager_access, [broken])
    assert rejected.status == SubmissionStatus.REJECTED
    loaded = services.ingest(manager_access, [broken], accept_with_errors=True)
    assert loaded.status == SubmissionStatus.CURRENT and loaded.quarantined_records == 1
    value = MeasureValue.objects.get(measure__organisation=manager_access.organisation,
                                     measure__code="CIN-ASSESS-45WD", period="2023-24")
    assert value.details["excluded_records"] == 1
    assert "1 record was left out because it had errors" in value.provenance


def test_a_returns_page_lists_only_the_measures_it_fed_in_their_own_format(client, manager, manager_access,
                                                                            demo_files):
    from carestat.measures.models import MeasureValue

    year = [p for p in demo_files["ssda903"] if "2024" in p.name]
    cin = services.ingest(manager_access, [demo_files["cin"][1]])
    lac = services.ingest(manager_access, year, year=2024)
    assert lac.status == SubmissionStatus.CURRENT, lac.rejection_reason
    # provenance cites only the returns whose tables the measure reads
    cin_value = MeasureValue.objects.get(measure__code="CIN-ASSESS-45WD", period="2023-24")
    lac_value = MeasureValue.objects.get(measure__code="LAC-COUNT", period="2023-24")
    assert cin_value.submissions == [f"S{cin.pk}"] and lac_value.submissions == [f"S{lac.pk}"]

    client.force_login(manager)
    page = client.get(f"/o/demoshire/data/{cin.pk}/").content.decode()
    computed = page[page.index('id="computed"'):page.index("</table>", page.index('id="computed"'))]
    assert "CIN-ASSESS-45WD" in computed and "LAC-" not in computed
    assert f"{cin_value.value.quantize(Decimal('0.1'))}%" in computed  # 86.7%, never 86.6519
    assert f"{cin_value.value:f}" not in computed
    assert "Section 47 enquiries" in page and "cin_section47" not in page
    page = client.get(f"/o/demoshire/data/{lac.pk}/").content.decode()
    computed = page[page.index('id="computed"'):page.index("</table>", page.index('id="computed"'))]
    assert "LAC-COUNT" in computed and "CIN-" not in computed
    assert f">{int(lac_value.value)}<" in computed  # a count, with no ".0000"
