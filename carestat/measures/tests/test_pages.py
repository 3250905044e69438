import datetime as dt

from carestat.analytics.periods import parse_period, previous_period
from carestat.core.models import AuditEntry
from carestat.measures import services
from carestat.measures.models import MeasureValue
from conftest import access_for


def _quarters(last: str, n: int) -> list[str]:
    out, p = [], parse_period(last)
    for _ in range(n):
        out.append(p.label)
        p = previous_period(p)
    return out[::-1]


def _history(measure, access, values, last="2025-26-Q4"):
    for period, v in zip(_quarters(last, len(values)), values, strict=True):
        services.enter_value(access, measure, period=period, value=str(v))


def test_a_manager_enters_a_value_and_sees_the_judgement_explained(client, permanent_share, manager, demoshire):
    services.set_target(access_for(manager, demoshire), permanent_share, period="2025-26", value=70)
    client.force_login(manager)
    response = client.post("/o/demoshire/measures/WF-PERMANENT-SHARE/values/new/",
                           {"period": "2025-26-Q2", "numerator": "82", "denominator": "100"})
    assert response.status_code == 302
    page = client.get("/o/demoshire/measures/WF-PERMANENT-SHARE/").content.decode()
    assert "82.0% is 12.0 points above the target of 70.0%, so the target is met: green." in page
    assert "Not enough data points for SPC (1 of 15); judged on target and trend instead." in page
    assert "Enter a value" in page and "Set a target" in page
    assert "Entered by hand by Priya Shah; approved by Priya Shah" in page


def test_a_viewer_sees_the_same_page_read_only(client, permanent_share, manager, viewer, demoshire):
    services.set_target(access_for(manager, demoshire), permanent_share, period="2025-26", value=70)
    services.enter_value(access_for(manager, demoshire), permanent_share, period="2025-26-Q2", value="82")
    client.force_login(viewer)
    page = client.get("/o/demoshire/measures/WF-PERMANENT-SHARE/").content.decode()
    assert "82.0% is 12.0 points above the target of 70.0%, so the target is met: green." in page
    assert "Enter a value" not in page and "Set a target" not in page and "Approve<span" not in page
    assert client.get("/o/demoshire/measures/WF-PERMANENT-SHARE/values/new/").status_code == 403


def test_a_value_awaiting_approval_is_shown_as_such_and_not_judged(client, permanent_share, contributor, manager,
                                                                   demoshire):
    services.enter_value(access_for(contributor, demoshire), permanent_share, period="2025-26-Q2", value="82")
    client.force_login(manager)
    page = client.get("/o/demoshire/measures/WF-PERMANENT-SHARE/").content.decode()
    assert "Awaiting approval" in page and "awaiting a manager&#39;s approval" in page
    assert "There are no approved values yet" in page
    value = MeasureValue.objects.get()
    response = client.post(f"/o/demoshire/measures/WF-PERMANENT-SHARE/values/{value.pk}/approve/")
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.is_approved and value.approved_by == manager


def test_a_rag_explanation_for_lower_is_better_shows_amber_within_tolerance(client, catalogue, manager, demoshire):
    access = access_for(manager, demoshire)
    measure = services.adopt_measure(access, "CSWW-AGENCY-RATE", frequency="annual", tolerance=2)
    services.set_target(access, measure, period="2025-26", value=15)
    services.enter_value(access, measure, period="2025-26", value="17")
    client.force_login(manager)
    page = client.get("/o/demoshire/measures/CSWW-AGENCY-RATE/").content.decode()
    assert "17.0% is 2.0 points above the target of 15.0%; within the 2-point tolerance, so amber." in page
    assert "17.0% is better than England (17.8%" in page


def test_with_fifteen_points_the_chart_marks_a_sustained_improvement_after_a_process_change(
        client, permanent_share, manager, demoshire):
    access = access_for(manager, demoshire)
    values = [70, 71, 69, 70, 72, 70, 71, 69, 70, 71, 78, 79, 80, 81, 80, 82, 81]
    _history(permanent_share, access, values)
    page = client.get("/o/demoshire/measures/WF-PERMANENT-SHARE/")
    client.force_login(manager)
    page = client.get("/o/demoshire/measures/WF-PERMANENT-SHARE/").content.decode()
    assert "<svg" in page and 'class="point point-improving' in page
    assert "Special cause improving variation" in page
    assert "Data for the chart" in page
    lst = client.get("/o/demoshire/measures/").content.decode()
    assert "Frontline staff who are permanent employees" in lst and "spc-icon variation-improving-high" in lst
    assert client.get("/o/demoshire/measures/?variation=concerning").content.decode().count(
        "Frontline staff who are permanent employees") == 0


def test_the_public_view_suppresses_small_numbers_and_protects_breakdown_totals(client, catalogue, manager,
                                                                                 demoshire):
    from django.utils import timezone

    from carestat.analytics.measures.base import MeasureResult

    results = [
        MeasureResult("CIN-REREF-12M", "2023-24", 25.0, 3, 12, "percent", "1.0"),
        MeasureResult("CIN-REREF-12M", "2024-25", 20.0, 40, 200, "percent", "1.0"),
        MeasureResult("CIN-REREF-12M", "2024-25", 25.0, 3, 12, "percent", "1.0", breakdown=(("team", "North"),)),
        MeasureResult("CIN-REREF-12M", "2024-25", 20.0, 20, 100, "percent", "1.0", breakdown=(("team", "South"),)),
        MeasureResult("CIN-REREF-12M", "2024-25", 19.1, 17, 88, "percent", "1.0", breakdown=(("team", "East"),)),
    ]
    services.record_computed_values(demoshire, results, submissions=["s1"], computed_at=timezone.now())
    client.force_login(manager)
    full = client.get("/o/demoshire/measures/CIN-REREF-12M/").content.decode()
    assert "3 / 12" in full
    public = client.get("/o/demoshire/measures/CIN-REREF-12M/?public=true").content.decode()
    assert "3 / 12" not in public
    values_table = public.split('id="values"')[1].split("</table>")[0]
    assert "2023-24" in values_table and "fewer than 5" in values_table
    breakdown = public.split('id="breakdown-team"')[1].split("</table>")[0]
    # North (3) is hidden; East (17, the smallest other part) is hidden too, so North can't be worked out
    assert breakdown.count("fewer than 5") == 4 and ">20<" in breakdown and ">40<" in breakdown
    assert "worked out from the total: East" in public


def test_every_change_links_to_its_history(client, permanent_share, manager, demoshire):
    value = services.enter_value(access_for(manager, demoshire), permanent_share, period="2025-26-Q2", value="82")
    client.force_login(manager)
    page = client.get("/o/demoshire/measures/WF-PERMANENT-SHARE/").content.decode()
    assert f"/o/demoshire/history/measurevalue/{value.pk}/" in page
    assert client.get(f"/o/demoshire/history/measurevalue/{value.pk}/").status_code == 200
    assert AuditEntry.objects.filter(action="measures.value.entered").count() == 1


def test_another_councils_measure_is_not_found(client, permanent_share, outsider):
    client.force_login(outsider)
    assert client.get("/o/demoshire/measures/WF-PERMANENT-SHARE/").status_code == 404
    assert client.get("/o/westmarch/measures/WF-PERMANENT-SHARE/").status_code == 404


def test_a_process_change_is_recorded_through_the_form(client, permanent_share, manager):
    client.force_login(manager)
    response = client.post("/o/demoshire/measures/WF-PERMANENT-SHARE/process-changes/new/",
                           {"starts_on-day": "1", "starts_on-month": "7", "starts_on-year": "2025",
                            "reason": "Permanent recruitment campaign"})
    assert response.status_code == 302
    assert permanent_share.process_changes.get().starts_on == dt.date(2025, 7, 1)


def test_a_manager_publishes_a_measure_and_changes_its_tolerance(client, permanent_share, manager):
    client.force_login(manager)
    response = client.post("/o/demoshire/measures/WF-PERMANENT-SHARE/settings/",
                           {"tolerance": "3", "tolerance_kind": "absolute", "is_public": "on"})
    assert response.status_code == 302
    permanent_share.refresh_from_db()
    assert permanent_share.is_public and permanent_share.tolerance == 3
    assert AuditEntry.objects.filter(action="measures.measure.changed").count() == 1


def test_a_rate_measure_reads_per_100000_in_words(client, catalogue, manager, demoshire):
    from carestat.measures.models import Frequency

    measure = services.adopt_measure(access_for(manager, demoshire), "ASCOF-2C", frequency=Frequency.ANNUAL)
    services.enter_value(access_for(manager, demoshire), measure, period="2025-26", value="548.3",
                         numerator="641", denominator="116913")
    client.force_login(manager)
    page = client.get("/o/demoshire/measures/ASCOF-2C/").content.decode()
    assert "548.3 per 100,000" in page and "Rate per 100,000" in page
    assert "rate per 100000" not in page


def test_a_count_measure_shows_englands_count_for_context_never_on_its_chart_or_as_better(
        client, catalogue, manager, demoshire):
    access = access_for(manager, demoshire)
    dols = services.adopt_measure(access, "DOLS-NOT-COMPLETED")
    _history(dols, access, [2, 82, 134, 131, 176, 226, 248, 193, 144, 99, 55, 34, 0], last="2026-27-Q2")
    client.force_login(manager)
    page = client.get("/o/demoshire/measures/DOLS-NOT-COMPLETED/").content.decode()
    assert "better than England" not in page and "Against the England benchmark" not in page
    assert "For context only: England 123,790" in page
    chart = page[page.index('id="measure-chart"'):page.index("</svg>", page.index('id="measure-chart"'))]
    assert "123,790" not in chart and "100,000" not in chart and 'class="benchmark"' not in chart
    rule = page[page.index("Compared with benchmarks"):]
    assert "No: it is a count" in rule[:400]
    listing = client.get("/o/demoshire/measures/").content.decode()
    assert "123,790<span class=\"govuk-body-s govuk-!-display-block govuk-!-margin-bottom-0\">context only: a count" \
        in listing
    api = client.get("/api/v1/organisations/demoshire/measures/DOLS-NOT-COMPLETED").json()
    assert api["benchmarks_compared"] is False
    assert api["judgement"]["benchmarks"][0].startswith("For context only")


def test_a_share_is_still_compared_with_england_and_the_catalogue_says_which_compare(
        client, catalogue, manager, demoshire):
    access = access_for(manager, demoshire)
    rereferrals = services.adopt_measure(access, "CIN-REREF-12M", frequency="annual")
    services.enter_value(access, rereferrals, period="2025-26", value="25")
    client.force_login(manager)
    page = client.get("/o/demoshire/measures/CIN-REREF-12M/").content.decode()
    assert "25.0% is worse than England (22.6%" in page
    page = client.get("/o/demoshire/measures/add/").content.decode()
    table = page[page.index('id="catalogue-benchmarks"'):]
    row = lambda code: table[table.index(code):table.index("</tr>", table.index(code))]  # noqa: E731
    assert "123,790" in row("DOLS-NOT-COMPLETED") and "No, context only" in row("DOLS-NOT-COMPLETED")
    assert "22.6%" in row("CIN-REREF-12M") and ">Yes<" in row("CIN-REREF-12M")


def test_the_measures_list_is_judged_once_until_something_changes(
        client, permanent_share, manager, viewer, demoshire, monkeypatch):
    from carestat.measures import listing

    services.set_target(access_for(manager, demoshire), permanent_share, period="2025-26", value=70)
    services.enter_value(access_for(manager, demoshire), permanent_share, period="2025-26-Q2", value="82")
    calls = []
    real = listing.measure_rows
    monkeypatch.setattr(listing, "measure_rows", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    client.force_login(viewer)
    first = client.get("/o/demoshire/measures/").content.decode()
    second = client.get("/o/demoshire/measures/").content.decode()
    assert len(calls) == 1 and "82.0%" in first and "82.0%" in second
    # A recorded change (here a revised value) is shown on the very next request.
    services.enter_value(access_for(manager, demoshire), permanent_share, period="2025-26-Q2", value="64",
                         reason="Recounted")
    third = client.get("/o/demoshire/measures/").content.decode()
    assert len(calls) == 2 and "64.0%" in third
    # The public list and each filter are kept apart.
    client.get("/o/demoshire/measures/?public=true")
    client.get("/o/demoshire/measures/?domain=adults")
    assert len(calls) == 4
