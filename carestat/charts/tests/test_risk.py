"""The risk charts: accessible SVG with the same data as a table."""

import datetime as dt

from carestat.analytics.risks import DEFAULT_MATRIX
from carestat.charts.risk import HeatmapRisk, ScorePoint, risk_heatmap, score_history_chart


def test_the_heatmap_names_each_cells_score_band_and_risks_and_tabulates_the_same_positions():
    chart = risk_heatmap([HeatmapRisk("R01", "OT shortage", 4, 4, 16, "Very high"),
                          HeatmapRisk("R02", "DoLS backlog", 4, 4, 16, "Very high"),
                          HeatmapRisk("R03", "Data quality", 1, 2, 2, "Low")],
                         likelihood=DEFAULT_MATRIX.likelihood, impact=DEFAULT_MATRIX.impact,
                         band_for=DEFAULT_MATRIX.band_for, title="Current positions", chart_id="t")
    assert 'role="img"' in chart.svg and "<title id=\"t-title\">Current positions</title>" in chart.svg
    assert "Likelihood 4 by impact 4: score 16, Very high; R01, R02" in chart.svg
    assert "Likelihood 5 by impact 1: score 5, Medium; no risks" in chart.svg
    assert [r["Ref"] for r in chart.table.rows] == ["R01", "R02", "R03"]
    assert chart.table.rows[2]["Likelihood"] == "1 Rare" and chart.table.rows[2]["Impact"] == "2 Minor"
    assert "most populated cell is likelihood 4 (Likely) by impact 4 (Major), with 2" in chart.table.summary


def test_the_score_history_describes_the_movement_and_lists_every_assessment_with_its_reason():
    points = [ScorePoint(dt.date(2025, 5, 15), "inherent", 5, 5, 25, "Very high", "Before controls"),
              ScorePoint(dt.date(2025, 5, 15), "current", 4, 4, 16, "Very high", "Backlog of 900"),
              ScorePoint(dt.date(2025, 8, 15), "current", 3, 4, 12, "High", "Agency OTs in post"),
              ScorePoint(dt.date(2025, 8, 15), "target", 2, 3, 6, "Medium", "Once recruited")]
    chart = score_history_chart(points, title="Score history of R01", max_score=25,
                                bands=[(b.label, b.min_score, b.rag) for b in DEFAULT_MATRIX.bands])
    assert "from 16 to 12 out of 25" in chart.table.summary and "latest target score is 6" in chart.table.summary
    assert [r["Reason"] for r in chart.table.rows] == ["Before controls", "Backlog of 900", "Agency OTs in post",
                                                       "Once recruited"]
    assert "Very high: scores 15 to 25" in chart.svg and "Current 12 (High) on 15 Aug 2025" in chart.svg
