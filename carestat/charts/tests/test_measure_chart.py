import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from carestat.analytics.judgements.spc import xmr
from carestat.charts import sparkline, xmr_chart

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"

# Mean exactly 10, MR-bar 3.5, limits 0.69 to 19.31 (worked in the SPC tests).
SERIES_C = [6, 12, 6, 12, 6, 12, 6, 11, 12, 11, 12, 10, 11, 12, 11]
LABELS = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01", "2025-02", "2025-03"]
# Seven points above the mean at the end (indices 8-14): a shift.
SHIFT_UP = [12, 7, 12, 7, 12, 7, 12, 7, 11, 12, 11, 12, 11, 12, 11]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def points(root):
    return root.findall(".//svg:g[@class='points']/*", NS)


def assert_accessible(root: ET.Element, title: str) -> None:
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox").startswith("0 0 ")
    assert root.get("font-family") == "Arial, sans-serif"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"svg:title[@id='{title_id}']", NS).text == title
    assert root.find(f"svg:desc[@id='{desc_id}']", NS).text
    # nothing a strict Content-Security-Policy would block
    for el in root.iter():
        assert "style" not in el.attrib
        assert not any(name.startswith("on") for name in el.attrib)
        assert el.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject")


def test_the_measure_chart_is_an_accessible_svg_with_one_marker_per_value():
    spc = xmr(SERIES_C, "higher_is_better", labels=LABELS, target=12)
    chart = xmr_chart(LABELS, SERIES_C, "Assessments within 45 working days", spc=spc, target=12)
    root = parse(chart.svg)
    assert_accessible(root, "Assessments within 45 working days")
    assert len(points(root)) == 15
    polyline = root.find("svg:polyline[@class='series']", NS)
    assert len(polyline.get("points").split()) == 15


def test_points_sit_at_the_right_place_for_their_period_and_value():
    # Plot area: x from 64 to 704 (720 wide, margins 64 and 16), 15 slots of 640/15 each,
    # points in the middle of their slot. y: ticks 0, 5, 10, 15, 20 cover the limits
    # 0.69-19.31 (step 5); the axis runs from y=292 (0) up to y=16 (20), so
    # value 10 is at 292 - 10/20 x 276 = 154 and value 12 at 292 - 12/20 x 276 = 126.4.
    spc = xmr(SERIES_C, "higher_is_better", labels=LABELS)
    root = parse(xmr_chart(LABELS, SERIES_C, "Chart", spc=spc).svg)
    marker = points(root)[11]  # index 11: value 10
    assert float(marker.get("cx")) == pytest.approx(64 + 11.5 * 640 / 15, abs=0.01)
    assert float(marker.get("cy")) == pytest.approx(154)
    assert float(points(root)[1].get("cy")) == pytest.approx(126.4)
    mean = root.find(".//svg:line[@class='mean']", NS)
    assert float(mean.get("y1")) == pytest.approx(154)
    y_ticks = [t.text for t in root.findall(".//svg:text[@class='y-tick']", NS)]
    assert y_ticks == ["0%", "5%", "10%", "15%", "20%"]


def test_process_limits_are_dashed_and_target_and_benchmark_lines_are_drawn():
    spc = xmr(SERIES_C, "higher_is_better", labels=LABELS)
    root = parse(xmr_chart(LABELS, SERIES_C, "Chart", spc=spc, target=15, benchmark=8).svg)
    upper = root.find(".//svg:line[@class='upper-limit']", NS)
    lower = root.find(".//svg:line[@class='lower-limit']", NS)
    assert upper.get("stroke-dasharray") and lower.get("stroke-dasharray")
    # limit 19.31 -> 292 - 19.31/20 x 276 = 25.522
    assert float(upper.get("y1")) == pytest.approx(25.52, abs=0.01)
    # target 15 -> 292 - 0.75 x 276 = 85; benchmark 8 -> 292 - 0.4 x 276 = 181.6
    assert float(root.find(".//svg:line[@class='target']", NS).get("y1")) == pytest.approx(85)
    assert float(root.find(".//svg:line[@class='benchmark']", NS).get("y1")) == pytest.approx(181.6)
    legend = [t.text for t in root.findall(".//svg:g[@class='legend']//svg:text", NS)]
    assert legend[:5] == ["Value", "Target", "National", "Mean", "Process limits"]


def test_concerning_special_cause_points_are_orange_diamonds_and_others_grey_circles():
    # lower is better, so the shift above the mean (indices 8-14) is concerning
    spc = xmr(SHIFT_UP, "lower_is_better")
    root = parse(xmr_chart([str(i) for i in range(15)], SHIFT_UP, "Chart", spc=spc).svg)
    markers = points(root)
    shapes = [m.tag.removeprefix(SVG) for m in markers]
    assert shapes == ["circle"] * 8 + ["polygon"] * 7
    assert {m.get("fill") for m in markers[8:]} == {"#e46c0a"}
    assert {m.get("fill") for m in markers[:8]} == {"#a6a6a6"}
    assert markers[8].get("data-variation") == "concerning"
    assert markers[8].find("svg:title", NS).text == (
        "8: 11.0% (special cause concerning variation (higher): "
        "a run of 7 or more points on one side of the mean)"
    )


def test_improving_special_cause_points_are_larger_blue_circles():
    spc = xmr(SHIFT_UP, "higher_is_better")
    root = parse(xmr_chart([str(i) for i in range(15)], SHIFT_UP, "Chart", spc=spc).svg)
    markers = points(root)
    assert markers[14].get("fill") == "#005eb8"
    assert float(markers[14].get("r")) > float(markers[0].get("r"))
    legend = [t.text for t in root.findall(".//svg:g[@class='legend']//svg:text", NS)]
    assert "Special cause: improving" in legend and "Common cause" in legend


def test_text_in_titles_and_labels_is_escaped():
    chart = xmr_chart(["<Q1>", "Q2 & Q3"], [1, 2], 'Referrals <script>alert("x")</script> & more')
    root = parse(chart.svg)  # would fail to parse if anything were unescaped
    assert root.find("svg:title", NS).text == 'Referrals <script>alert("x")</script> & more'
    assert "<script>" not in chart.svg
    assert [t.text for t in root.findall(".//svg:text[@class='x-tick']", NS)] == ["<Q1>", "Q2 & Q3"]


def test_without_enough_points_for_spc_no_mean_or_limits_are_drawn():
    spc = xmr(SERIES_C[:10], "higher_is_better")
    root = parse(xmr_chart(LABELS[:10], SERIES_C[:10], "Chart", spc=spc, target=12).svg)
    assert root.find(".//svg:line[@class='mean']", NS) is None
    assert root.find(".//svg:line[@class='target']", NS) is not None
    assert "Not enough data points for SPC (10 of 15)" in root.find("svg:desc", NS).text


def test_the_data_table_carries_every_value_with_limits_and_signals():
    spc = xmr(SHIFT_UP, "higher_is_better", target=10)
    chart = xmr_chart(
        [f"P{i}" for i in range(15)],
        SHIFT_UP,
        "Chart",
        spc=spc,
        target=10,
        benchmark=Decimal("9.5"),
        benchmark_label="England",
    )
    table = chart.table
    assert table.headers == (
        "Period",
        "Value",
        "Target",
        "England",
        "Mean",
        "Lower process limit",
        "Upper process limit",
        "Special cause",
    )
    assert len(table.rows) == 15
    # mean 156/15 = 10.4; limits 10.4 -/+ 8.55 = 1.85 and 18.95 (shown to one decimal place)
    assert table.rows[0] == {
        "Period": "P0",
        "Value": "12.0%",
        "Target": "10.0%",
        "England": "9.5%",
        "Mean": "10.4%",
        "Lower process limit": "1.9%",
        "Upper process limit": "19.0%",
        "Special cause": "None",
    }
    assert table.rows[14]["Special cause"] == (
        "Special cause improving variation (higher): "
        "a run of 7 or more points on one side of the mean"
    )


def test_two_charts_with_different_titles_get_different_ids():
    a = parse(xmr_chart(["a"], [1], "One").svg).get("aria-labelledby")
    b = parse(xmr_chart(["a"], [1], "Two").svg).get("aria-labelledby")
    assert a != b


def test_the_sparkline_shows_the_last_n_values_and_marks_the_last_point():
    values = [5, 6, 7, 8, 9, 10, 11, 20]
    chart = sparkline(values, "Re-referrals, last 5 months", last_n=5)
    root = parse(chart.svg)
    assert_accessible(root, "Re-referrals, last 5 months")
    coords = root.find("svg:polyline", NS).get("points").split()
    assert len(coords) == 5
    last = root.find("svg:circle[@class='last-point']", NS)
    # 100 wide, 3 padding: the last point is at x 97; 20 is the highest value, so y is 3 (top)
    assert (float(last.get("cx")), float(last.get("cy"))) == (97, 3)
    # 8 is the lowest of the last five (8, 9, 10, 11, 20): bottom, y = 24 - 3 = 21
    assert coords[0] == "3.00,21.00"
    assert [r["Value"] for r in chart.table.rows] == ["8.0%", "9.0%", "10.0%", "11.0%", "20.0%"]


def test_a_process_change_is_marked_where_the_limits_are_recalculated():
    # 15 points around 11 then 15 around 21, limits recalculated from index 15 ("P15").
    values = [10, 12] * 7 + [10] + [20, 22] * 7 + [20]
    labels = [f"P{i}" for i in range(30)]
    spc = xmr(values, "higher_is_better", labels=labels, change_points=[15])
    root = parse(xmr_chart(labels, values, "Chart", spc=spc).svg)
    assert len(root.findall(".//svg:line[@class='mean']", NS)) == 2
    changes = root.findall(".//svg:g[@class='process-change']", NS)
    assert len(changes) == 1
    # the boundary between slot 14 and slot 15: 64 + 15 x 640/30 = 384
    assert float(changes[0].find("svg:line", NS).get("x1")) == pytest.approx(384)
    assert changes[0].find("svg:text", NS).text == "Process change (P15)"


def test_the_data_table_carries_the_charts_summary_in_words():
    spc = xmr(SERIES_C, "higher_is_better", labels=LABELS, target=12)
    chart = xmr_chart(LABELS, SERIES_C, "Chart", spc=spc, target=12)
    desc = parse(chart.svg).find("svg:desc", NS).text
    assert chart.table.summary == desc
    assert desc.startswith("15 values from 2024-01 to 2025-03; latest 11.0%. Target 12.0%.")
