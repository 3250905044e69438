"""Pure-Python SVG charts for CareStat pages, reports and PDFs (no Django, no JavaScript).

Every builder returns a ``Chart``: the SVG string and the ``DataTable`` that is its
accessible alternative, to show beside the chart.
"""

from .backlog import Scenario, backlog_forecast_chart
from .icons import ICONS, icon_svg
from .measure import sparkline, xmr_chart
from .svg import Chart, DataTable
from .timeline import TimelineMilestone, milestone_timeline

__all__ = [
    "ICONS",
    "Chart",
    "DataTable",
    "Scenario",
    "TimelineMilestone",
    "backlog_forecast_chart",
    "icon_svg",
    "milestone_timeline",
    "sparkline",
    "xmr_chart",
]
