import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from carestat.charts import (
    ICONS,
    Scenario,
    TimelineMilestone,
    backlog_forecast_chart,
    icon_svg,
    milestone_timeline,
)

NS = {"svg": "http://www.w3.org/2000/svg"}
D = dt.date

MILESTONES = [
    # re-dated from 1 Dec 2025 to 1 Feb 2026: 31 + 31 = 62 days' slippage
    TimelineMilestone("Clear the occupational therapy backlog", D(2025, 12, 1), D(2026, 2, 1)),
    # done 5 days early
    TimelineMilestone("Recruit five OTs", D(2025, 11, 15), actual=D(2025, 11, 10)),
    # not re-dated
    TimelineMilestone("Go live with the children's system", D(2026, 1, 15)),
]
TODAY = D(2025, 11, 20)


def x_of(day: dt.date) -> float:
    # Dates run from 1 Nov 2025 (month of the earliest date) to 1 Mar 2026 (the month after
    # the latest): 30 + 31 + 31 + 28 = 120 days over x = 220 (after the labels) to 744.
    return 220 + (day - D(2025, 11, 1)).days / 120 * 524


def test_the_timeline_has_one_row_per_milestone_with_markers_at_their_dates():
    chart = milestone_timeline(MILESTONES, TODAY, "Improvement programme milestones")
    root = ET.fromstring(chart.svg)
    assert root.get("role") == "img"
    assert root.find("svg:title", NS).text == "Improvement programme milestones"
    rows = root.findall(".//svg:g[@class='milestone']", NS)
    assert len(rows) == 3
    baseline = rows[0].find("svg:polygon[@class='baseline']", NS)
    # 1 Dec is 30 days in: 220 + 30/120 x 524 = 351
    assert float(baseline.get("points").split()[0].split(",")[0]) == pytest.approx(351)
    forecast = rows[0].find("svg:polygon[@class='forecast']", NS)
    # 1 Feb is 92 days in: 220 + 92/120 x 524 = 621.73; the triangle's apex is at that x
    assert float(forecast.get("points").split()[0].split(",")[0]) == pytest.approx(
        x_of(D(2026, 2, 1)), abs=0.01
    )
    actual = rows[1].find("svg:circle[@class='actual']", NS)
    assert float(actual.get("cx")) == pytest.approx(x_of(D(2025, 11, 10)), abs=0.01)
    assert rows[2].find("svg:polygon[@class='forecast']", NS) is None


def test_slippage_is_a_red_line_from_baseline_to_forecast_and_early_delivery_is_green():
    root = ET.fromstring(milestone_timeline(MILESTONES, TODAY, "Milestones").svg)
    rows = root.findall(".//svg:g[@class='milestone']", NS)
    late = rows[0].find("svg:line[@class='slippage']", NS)
    assert (float(late.get("x1")), float(late.get("x2"))) == (
        pytest.approx(351),
        pytest.approx(621.73, abs=0.01),
    )
    assert late.get("stroke") == "#d4351c"
    assert rows[1].find("svg:line[@class='slippage']", NS).get("stroke") == "#00703c"
    assert rows[2].find("svg:line[@class='slippage']", NS) is None


def test_the_timeline_has_a_today_line_and_month_ticks():
    root = ET.fromstring(milestone_timeline(MILESTONES, TODAY, "Milestones").svg)
    today = root.find(".//svg:g[@class='today']/svg:line", NS)
    # 20 Nov is 19 days in: 220 + 19/120 x 524 = 302.97
    assert float(today.get("x1")) == pytest.approx(302.97, abs=0.01)
    assert root.find(".//svg:g[@class='today']/svg:text", NS).text == "Today 20 Nov 2025"
    assert len(root.findall(".//svg:line[@class='month-tick']", NS)) == 5  # Nov, Dec, Jan, Feb, Mar
    labels = [t.text for t in root.findall(".//svg:text[@class='month-label']", NS)]
    assert labels == ["Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026"]


def test_the_timeline_table_gives_dates_and_slippage_in_days():
    table = milestone_timeline(MILESTONES, TODAY, "Milestones").table
    assert table.headers == (
        "Milestone",
        "Baseline date",
        "Forecast date",
        "Actual date",
        "Slippage (days)",
    )
    assert table.rows[0] == {
        "Milestone": "Clear the occupational therapy backlog",
        "Baseline date": "1 Dec 2025",
        "Forecast date": "1 Feb 2026",
        "Actual date": "",
        "Slippage (days)": "62",
    }
    assert table.rows[1]["Slippage (days)"] == "-5"
    assert table.rows[2]["Slippage (days)"] == "0"


def test_a_long_milestone_name_is_shortened_on_the_chart_but_kept_in_its_title():
    long = "Establish clear milestones for the governance framework covering all services"
    root = ET.fromstring(
        milestone_timeline([TimelineMilestone(long, D(2026, 1, 1))], TODAY, "M").svg
    )
    name = root.find(".//svg:text[@class='milestone-name']", NS)
    assert name.text.endswith("\u2026") and len(name.text) == 34
    assert name.find("svg:title", NS).text == long


HISTORY = [(D(2025, 1, 1), 800), (D(2025, 4, 1), 700), (D(2025, 7, 1), 600)]
EXTRA = Scenario(
    "Extra capacity",
    projected=[(D(2025, 7, 1), 600), (D(2025, 10, 1), 300), (D(2026, 1, 1), 0)],
    low=[(D(2025, 7, 1), 600), (D(2025, 10, 1), 200), (D(2026, 1, 1), 0)],
    high=[(D(2025, 7, 1), 600), (D(2025, 10, 1), 400), (D(2026, 1, 1), 200)],
    clearance_date=D(2026, 1, 1),
)
CURRENT = Scenario("Current capacity", projected=[(D(2025, 7, 1), 600), (D(2026, 1, 1), 500)])


def test_the_backlog_chart_draws_history_projections_band_target_and_clearance():
    chart = backlog_forecast_chart(HISTORY, [EXTRA, CURRENT], "DoLS backlog forecast")
    root = ET.fromstring(chart.svg)
    assert root.find("svg:title", NS).text == "DoLS backlog forecast"
    assert len(root.find("svg:polyline[@class='actual']", NS).get("points").split()) == 3
    assert len(root.findall(".//svg:polyline[@class='projection']", NS)) == 2
    band = root.findall("svg:polygon[@class='band']", NS)
    assert len(band) == 1 and len(band[0].get("points").split()) == 6  # 3 low + 3 high
    # x runs from 1 Jan 2025 (64) to 1 Jan 2026 (704): 365 days over 640; y: ticks 0-800
    # (step 200) from y=282 (0) to 16 (800): a 360-high chart less 30 for month labels and
    # 48 for the legend (28 + 20 for each further row of up to three entries: (2 + 1) // 3 = 1).
    clearance = root.find(".//svg:line[@class='clearance']", NS)
    assert float(clearance.get("x1")) == pytest.approx(704)
    target = root.find("svg:line[@class='target']", NS)
    assert float(target.get("y1")) == pytest.approx(282)
    actual_first = root.find("svg:polyline[@class='actual']", NS).get("points").split()[0]
    assert actual_first == "64.00,16.00"
    assert "Extra capacity: cleared by 1 Jan 2026." in root.find("svg:desc", NS).text
    assert "Current capacity: not cleared within the forecast." in root.find("svg:desc", NS).text


def test_the_backlog_table_has_a_row_per_date_and_a_column_per_series():
    table = backlog_forecast_chart(HISTORY, [EXTRA, CURRENT], "Backlog").table
    assert table.headers == (
        "Date",
        "Actual",
        "Extra capacity: projected",
        "Extra capacity: low",
        "Extra capacity: high",
        "Current capacity: projected",
    )
    assert [r["Date"] for r in table.rows] == [
        "1 Jan 2025",
        "1 Apr 2025",
        "1 Jul 2025",
        "1 Oct 2025",
        "1 Jan 2026",
    ]
    assert table.rows[3] == {
        "Date": "1 Oct 2025",
        "Actual": "",
        "Extra capacity: projected": "300",
        "Extra capacity: low": "200",
        "Extra capacity: high": "400",
        "Current capacity: projected": "",
    }


@pytest.mark.parametrize("key", sorted(ICONS))
def test_every_icon_is_an_accessible_svg_named_in_words(key):
    root = ET.fromstring(icon_svg(key))
    assert root.get("role") == "img"
    assert root.get("aria-label") == ICONS[key][0]
    assert root.find("svg:title", NS).text == ICONS[key][0]
    assert key in root.get("class")


def test_icons_cover_every_variation_and_assurance_summary():
    from carestat.analytics.judgements.spc import Assurance, Variation

    assert {v.icon for v in Variation} | {a.icon for a in Assurance} == set(ICONS)


def test_high_and_low_icons_differ_by_letter_not_only_colour():
    high = ET.fromstring(icon_svg("variation-improving-high")).find("svg:text", NS).text
    low = ET.fromstring(icon_svg("variation-concerning-low")).find("svg:text", NS).text
    assert (high, low) == ("H", "L")


def test_an_unknown_icon_is_refused():
    with pytest.raises(ValueError, match="unknown icon"):
        icon_svg("variation-sideways")


def test_a_saved_forecasts_chart_carries_the_actual_line_on_over_its_projection():
    outturn = [(D(2025, 10, 1), 350), (D(2026, 1, 1), 50)]
    chart = backlog_forecast_chart(HISTORY, [EXTRA], "DoLS backlog forecast", outturn=outturn)
    root = ET.fromstring(chart.svg)
    # drawn on from the last actual before the forecast (1 July 2025), in the actual's style
    line = root.find("svg:polyline[@class='outturn']", NS).get("points").split()
    assert len(line) == 3 and line[0] == root.find("svg:polyline[@class='actual']", NS).get("points").split()[-1]
    assert "Actual since the forecast: 50 on 1 Jan 2026." in root.find("svg:desc", NS).text
    rows = {r["Date"]: r for r in chart.table.rows}
    assert rows["1 Oct 2025"]["Actual"] == "350" and rows["1 Oct 2025"]["Extra capacity: projected"] == "300"


def test_a_backlog_with_nothing_waiting_is_described_as_having_nothing_to_clear():
    clear = Scenario("Current capacity", projected=[(D(2025, 10, 1), 0)], already_clear=True)
    chart = backlog_forecast_chart([(D(2025, 7, 1), 0)], [clear], "OT backlog forecast")
    assert "Current capacity: no backlog to clear." in ET.fromstring(chart.svg).find("svg:desc", NS).text
