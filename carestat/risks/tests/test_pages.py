"""The register, risk page, heatmap and forms in the browser's terms: what they show and what
posting them changes."""

import pytest

from carestat.risks import services
from carestat.risks.models import Assessment, Risk
from carestat.risks.tests.builders import red_measure, small_register
from conftest import access_for

ORG = "/o/demoshire/risks"


@pytest.fixture
def world(demoshire, cast):
    return small_register(demoshire, cast["admin"], cast["contributor"])


def test_the_register_lists_risks_with_scores_flags_and_filters(client, viewer, world):
    client.force_login(viewer)
    html = client.get(f"{ORG}/").content.decode()
    assert "Not enough occupational therapists" in html and "Above appetite" in html and "Worsening" in html
    assert "1 of 1 risk" in html
    html = client.get(f"{ORG}/?flag=review_overdue").content.decode()
    assert "No risks match these filters" in html
    html = client.get(f"{ORG}/?flag=above_appetite&flag=worsening&category={world['workforce'].pk}").content.decode()
    assert "1 of 1 risk shown" in html


def test_the_risk_page_shows_history_chart_with_its_table_controls_mitigations_and_indicators(
        client, viewer, world, demoshire, admin):
    services.link_measure(access_for(admin, demoshire), world["risk"], red_measure(demoshire, admin))
    client.force_login(viewer)
    html = client.get(f"{ORG}/{world['risk'].pk}/").content.decode()
    assert 'role="img"' in html and "Score history of R01" in html
    assert "Two agency OTs left" in html  # the reason, in the chart's data table
    assert "Weekly backlog triage by a senior OT" in html and "Partly effective" in html
    assert "Clear the OT assessment backlog" in html
    assert "OT-WAIT is red" in html and "This risk needs review" in html
    assert "Re-score this risk" not in html  # a viewer may not


def test_the_heatmap_places_current_and_target_positions_with_the_same_data_as_a_table(client, viewer, world):
    client.force_login(viewer)
    html = client.get(f"{ORG}/heatmap/").content.decode()
    assert "Likelihood 4 by impact 4: score 16, Very high; R01" in html
    assert "Likelihood 2 by impact 3: score 6, Medium; R01" in html
    assert "4 x 4 = 16 (Very high)" in html and "2 x 3 = 6 (Medium)" in html


def test_a_manager_rescores_with_a_reason_and_a_bad_level_stores_nothing(client, manager, world):
    client.force_login(manager)
    url = f"{ORG}/{world['risk'].pk}/assess/"
    response = client.post(url, {"kind": "current", "likelihood": "7", "impact": "4", "reason": "Quarterly review"})
    assert response.status_code == 200 and "Choose a likelihood on the matrix" in response.content.decode()
    before = Assessment.objects.count()
    response = client.post(url, {"kind": "current", "likelihood": "2", "impact": "4", "reason": ""})
    assert "Give the reason for the score" in response.content.decode()
    assert Assessment.objects.count() == before
    response = client.post(url, {"kind": "current", "likelihood": "2", "impact": "4",
                                 "reason": "Recruitment drive filled four posts"})
    assert response.status_code == 302
    assert Assessment.objects.filter(risk=world["risk"]).latest("pk").score == 8


def test_a_manager_adds_a_risk_in_the_browser(client, manager, world):
    client.force_login(manager)
    response = client.post(f"{ORG}/new/", {"ref": "R02", "title": "Overspend on placements",
                                            "category": str(world["finance"].pk), "review_frequency": "monthly"})
    assert response.status_code == 302
    risk = Risk.objects.get(ref="R02")
    assert response["Location"] == f"{ORG}/{risk.pk}/assess/"


def test_the_admin_changes_band_thresholds_on_the_settings_page(client, admin, world):
    client.force_login(admin)
    response = client.post(f"{ORG}/settings/", {
        "likelihood": "Rare\nUnlikely\nPossible\nLikely\nAlmost certain",
        "impact": "Negligible\nMinor\nModerate\nMajor\nCatastrophic",
        "bands": "Low, 1, green\nMedium, 4, amber\nHigh, 12, red"})
    assert response.status_code == 302
    html = client.get(f"{ORG}/settings/").content.decode()
    assert "4 to 11" in html and "12 to 25" in html
    assert Assessment.objects.filter(band="Very high").exists()  # history keeps its bands


def test_the_review_list_names_why_each_risk_needs_review(client, viewer, world, demoshire, admin):
    services.link_measure(access_for(admin, demoshire), world["risk"], red_measure(demoshire, admin))
    client.force_login(viewer)
    html = client.get(f"{ORG}/review/").content.decode()
    assert "R01" in html and "OT-WAIT is red" in html


def test_an_edit_opened_before_someone_else_rescored_is_refused_naming_them(client, manager, world):
    opened = Risk.objects.get(pk=world["risk"].pk).version
    services.assess(access_for(world["risk"].owner, world["risk"].organisation), world["risk"], kind="current",
                    likelihood=3, impact=4, reason="Two OTs recruited")
    client.force_login(manager)
    response = client.post(f"{ORG}/{world['risk'].pk}/edit/", {
        "ref": "R01", "title": "OT shortage", "category": str(world["workforce"].pk), "status": "closed",
        "review_frequency": "quarterly", "version": str(opened)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "was changed by Tom Okafor at " in page and "since you opened it" in page
    assert Risk.objects.get(pk=world["risk"].pk).status == "open"


def test_recording_that_a_risk_happened_moves_it_to_the_issues_log(client, manager, viewer, world):
    client.force_login(manager)
    response = client.post(f"{ORG}/{world['risk'].pk}/issue/", {
        "occurred_on-day": "1", "occurred_on-month": "10", "occurred_on-year": "2026",
        "note": "The backlog passed 500 people"})
    assert response.status_code == 302
    client.force_login(viewer)
    assert "There are no risks on the register yet" in client.get(f"{ORG}/").content.decode()
    html = client.get(f"{ORG}/issues/").content.decode()
    assert "The backlog passed 500 people" in html and "1 October 2026" in html


def test_the_register_list_downloads_as_csv_with_scores_as_numbers(client, viewer, demoshire, admin):
    import csv
    import io

    from carestat.risks.tests.access_rows import plant

    plant(demoshire, admin, "MARKED")
    client.force_login(viewer)
    text = client.get("/o/demoshire/risks/?format=csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1 and "MARKED" in rows[0]["Risk"]
    assert rows[0]["Current score"].isdigit()
