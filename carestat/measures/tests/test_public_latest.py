"""Suppression blanks, it never substitutes: the public view's latest value is the same
approved value as the full view's, shown as "fewer than 5" with no judgement when it rests on
1 to 4, never an earlier period's figure and RAG in its place. The page, the API and the
reports all take it from ``judge``."""

import random

from carestat.core import services as core_services
from carestat.measures import services
from carestat.measures.judging import judge
from carestat.measures.models import Frequency, MeasureValue, ValueStatus
from conftest import access_for


def _bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {core_services.create_api_token(user, 't')[1]}"}


def carers_left(manager, demoshire, values):
    """A public quarterly count, lower is better, target 4: carers leaving Shared Lives."""
    access = access_for(manager, demoshire)
    m = services.add_local_measure(access, code="SL-CARERS-LEFT", title="Carers leaving the Shared Lives scheme",
                                   domain="adults", unit="count", polarity="lower_is_better",
                                   frequency=Frequency.QUARTERLY, tolerance=1, is_public=True)
    for period, value in values:
        services.enter_value(access, m, period=period, value=value)
    services.set_target(access, m, period="2026-27", value=4)
    return m


def test_a_suppressed_latest_count_is_fewer_than_5_for_its_own_quarter_with_no_rag(catalogue, manager, demoshire):
    m = carers_left(manager, demoshire, [("2026-27-Q1", 5), ("2026-27-Q2", 3)])
    full, public = judge(m), judge(m, public=True)
    assert (full.latest.period, full.latest_display, full.rag) == ("2026-27-Q2", "3", "green")
    assert (public.latest.period, public.latest_display, public.latest_suppressed) == ("2026-27-Q2", "fewer than 5",
                                                                                        True)
    assert public.rag is None and public.judgement is None and public.rag_label == "No judgement"
    assert public.variation is None and public.assurance is None and public.breakdowns == []
    assert [p.period for p in public.points] == ["2026-27-Q1"]  # the chart keeps the published value
    assert "2026-27-Q2 rests on fewer than 5" in public.notes[0]
    assert "2026-27-Q2 is fewer than 5 and is not drawn" in public.chart.table.summary


def test_a_suppressed_latest_rate_does_not_show_last_years_value_as_this_years(catalogue, manager, demoshire):
    access = access_for(manager, demoshire)
    m = services.adopt_measure(access, "CIN-CPP-2YR", frequency=Frequency.ANNUAL)
    services.enter_value(access, m, period="2024-25", numerator=8, denominator=132)
    services.enter_value(access, m, period="2025-26", numerator=4, denominator=146)
    public = judge(m, public=True)
    assert (public.latest.period, public.latest_display, public.rag) == ("2025-26", "fewer than 5", None)
    assert "6.1%" not in public.latest_display


def test_a_suppressed_earlier_value_leaves_the_latest_judged_as_in_the_full_view(catalogue, manager, demoshire):
    m = carers_left(manager, demoshire, [("2026-27-Q1", 3), ("2026-27-Q2", 6)])
    full, public = judge(m), judge(m, public=True)
    assert (public.latest.period, public.latest_display, public.rag) == ("2026-27-Q2", "6", full.rag) == (
        "2026-27-Q2", "6", "red")
    assert not public.latest_suppressed


def test_public_figures_are_the_full_ones_or_suppressed_for_the_same_period(catalogue, manager, demoshire):
    """For many histories (some values awaiting approval), at the latest and at each earlier
    period: the public view's latest is the full view's period with the same figure and RAG,
    or "fewer than 5" and nothing judged; never another period's."""
    m = carers_left(manager, demoshire, [])
    quarters = [f"{y}-{(y + 1) % 100:02d}-Q{q}" for y in (2024, 2025, 2026) for q in (1, 2, 3, 4)]
    checked = suppressed_latest = 0
    for seed in range(25):
        rnd = random.Random(seed)
        MeasureValue.objects.filter(measure=m).delete()
        for period in quarters[:rnd.randint(1, len(quarters))]:
            status = ValueStatus.SUBMITTED if rnd.random() < 0.15 else ValueStatus.APPROVED
            MeasureValue.objects.create(measure=m, period=period, value=rnd.choice([0, 2, 3, 4, 5, 6, 9, 12]),
                                        status=status)
        for as_of in [None, *quarters[:4]]:
            full, public = judge(m, as_of=as_of, chart=False), judge(m, public=True, as_of=as_of, chart=False)
            assert (public.latest is None) == (full.latest is None)
            if full.latest is None:
                continue
            assert public.latest.period == full.latest.period, (seed, as_of)
            if public.latest_display == "fewer than 5":
                assert public.latest_suppressed
                suppressed_latest += 1
                assert full.latest.value < 5 and full.latest.value > 0
                assert (public.latest_display, public.rag, public.judgement) == ("fewer than 5", None, None)
            else:
                assert (public.latest_display, public.rag) == (full.latest_display, full.rag), (seed, as_of)
            checked += 1
    assert checked > 50 and suppressed_latest > 10  # the histories did exercise both cases


def test_the_public_page_shows_fewer_than_5_for_the_latest_quarter_not_the_one_before(client, catalogue, manager,
                                                                                       demoshire):
    carers_left(manager, demoshire, [("2026-27-Q1", 5), ("2026-27-Q2", 3)])
    client.force_login(manager)
    page = client.get("/o/demoshire/measures/SL-CARERS-LEFT/?public=true").content.decode()
    latest = page.split('id="latest-value"')[1].split("</p>")[0]
    assert "fewer than 5" in latest and "for 2026-27-Q2" in latest and "No judgement" in latest
    assert "Red" not in latest and "2026-27-Q1" not in latest
    full = client.get("/o/demoshire/measures/SL-CARERS-LEFT/").content.decode()
    assert "for 2026-27-Q2" in full.split('id="latest-value"')[1].split("</p>")[0]
    listing = client.get("/o/demoshire/measures/?public=true").content.decode()
    row = listing.split("Carers leaving the Shared Lives scheme")[1].split("</tr>")[0]
    assert "fewer than 5" in row and "2026-27-Q2" in row and "Red" not in row


def test_the_public_api_gives_the_latest_quarter_as_suppressed_not_the_one_before(client, catalogue, manager,
                                                                                 demoshire):
    carers_left(manager, demoshire, [("2026-27-Q1", 5), ("2026-27-Q2", 3)])
    auth = _bearer(manager)
    body = client.get("/api/v1/organisations/demoshire/measures/SL-CARERS-LEFT?public=true", **auth).json()
    assert (body["latest_period"], body["latest_value"], body["latest_suppressed"], body["rag"]) == (
        "2026-27-Q2", None, True, None)
    assert body["judgement"] is None
    listed = client.get("/api/v1/organisations/demoshire/measures?public=true", **auth).json()
    assert [(r["latest_period"], r["latest_value"], r["rag"]) for r in listed if r["code"] == "SL-CARERS-LEFT"] == [
        ("2026-27-Q2", None, None)]
    full = client.get("/api/v1/organisations/demoshire/measures/SL-CARERS-LEFT", **auth).json()
    assert (full["latest_period"], full["latest_value"], full["latest_suppressed"], full["rag"]) == (
        "2026-27-Q2", 3.0, False, "green")
