"""Case data's rows in the role-by-address access matrix."""

import datetime as dt

from carestat.casedata.models import SavedForecast, Submission

ALL = {"admin", "manager", "contributor", "viewer", "auditor"}


def build(w):
    w["submission"] = Submission.objects.create(organisation=w["org"], format="cin", files=["CIN_Census_2024.xml"],
                                                status="rejected", rejection_reason="test")
    w["forecast"] = SavedForecast.objects.create(
        organisation=w["org"], title="OT backlog", work_type="ot_assessment", as_of=dt.date(2026, 4, 6),
        result={"horizon_weeks": 1, "assumptions": [], "history": [{"week_start": "2026-03-30", "arrivals": 1,
                "completions": 1, "backlog": 5}], "scenarios": [{"name": "Current capacity", "clears": False,
                "clearance_date": None, "description": "", "projection": [{"week_start": "2026-04-06",
                "week_end": "2026-04-12", "central": 5, "low": 4, "high": 6, "extra": 0}]}]})


PAGES = [
    ("casedata:submissions", "get", lambda w: "/o/demoshire/data/", ALL, None),
    ("casedata:upload", "get", lambda w: "/o/demoshire/data/load/", {"admin", "manager"}, None),
    ("casedata:upload", "post", lambda w: "/o/demoshire/data/load/", {"admin", "manager"}, dict),
    ("casedata:submission", "get", lambda w: f"/o/demoshire/data/{w['submission'].pk}/", ALL, None),
    ("casedata:operations", "get", lambda w: "/o/demoshire/data/operations/", ALL, None),
    ("casedata:operations", "get", lambda w: "/o/demoshire/data/operations/?format=csv", ALL, None),
    ("casedata:forecasts", "get", lambda w: "/o/demoshire/data/forecasts/", ALL, None),
    ("casedata:forecasts", "post", lambda w: "/o/demoshire/data/forecasts/", {"admin", "manager"},
     lambda w: {"work_type": "ot_assessment"}),
    ("casedata:forecast", "get", lambda w: f"/o/demoshire/data/forecasts/{w['forecast'].pk}/", ALL, None),
    ("casedata:problems_csv", "get", lambda w: f"/o/demoshire/data/{w['submission'].pk}/problems.csv", ALL, None),
    ("casedata:recompute", "post", lambda w: "/o/demoshire/data/recompute/", {"admin", "manager"}, dict),
]

API = [
    ("get", "/api/v1/organisations/demoshire/submissions", ALL, None),
    ("get", "/api/v1/organisations/demoshire/submissions/{submission.pk}", ALL, None),
    ("post", "/api/v1/organisations/demoshire/recompute", {"admin", "manager"}, {}),
    ("get", "/api/v1/organisations/demoshire/case-data-settings", ALL, None),
    ("put", "/api/v1/organisations/demoshire/case-data-settings", {"admin"}, {"auto_approve_recomputed": False}),
    ("get", "/api/v1/organisations/demoshire/forecasts", ALL, None),
    ("get", "/api/v1/organisations/demoshire/forecasts/{forecast.pk}", ALL, None),
]
