"""Pages and the API read through the same selectors and getters: the API imports nothing
from a view module, and the audit lists they share hold the same entries."""

import ast
import html
from pathlib import Path

import carestat
from carestat.plans import services as plans
from carestat.plans.models import PlanKind
from conftest import access_for

ROOT = Path(carestat.__file__).parent


def test_no_api_module_imports_from_a_view_module():
    offenders = []
    for path in [ROOT / "api.py", *ROOT.glob("*/api.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if ".views" in n or n.endswith("views")]
    assert offenders == []


def test_a_records_history_page_and_api_show_the_same_entries(client, admin, auditor, demoshire, westmarch, outsider):
    import datetime as dt

    a = access_for(admin, demoshire)
    plan = plans.create_plan(a, kind=PlanKind.PORTFOLIO, title="Portfolio plan", start=dt.date(2026, 4, 1),
                             end=dt.date(2027, 3, 31))
    plans.update_plan(a, plan, kind=plan.kind, title="Adults' portfolio plan", start=plan.start, end=plan.end)
    theirs = plans.create_plan(access_for(outsider, westmarch), kind=PlanKind.PORTFOLIO, title="Westmarch plan",
                               start=dt.date(2026, 4, 1), end=dt.date(2027, 3, 31))
    client.force_login(auditor)
    api = client.get(f"/api/v1/organisations/demoshire/history/plan/{plan.pk}").json()
    page = html.unescape(client.get(f"/o/demoshire/history/plan/{plan.pk}/").content.decode())
    assert [e["action"] for e in api] == ["plans.plan.changed", "plans.plan.created"]
    assert all(e["message"] in page for e in api)
    assert client.get(f"/api/v1/organisations/demoshire/history/plan/{theirs.pk}").json() == []
    assert client.get(f"/o/demoshire/history/plan/{theirs.pk}/").status_code == 404


def test_each_service_error_answers_the_api_with_its_status_and_one_body_shape(rf):
    from carestat.api import _service_error
    from carestat.core.errors import Busy, Conflict, InvalidInput, NotAllowed, PeriodClosed

    answers = {kind.__name__: _service_error(rf.get("/api/v1/"), kind("Say why", field="reason"))
               for kind in (NotAllowed, InvalidInput, Conflict, PeriodClosed, Busy)}
    assert {k: r.status_code for k, r in answers.items()} == {
        "NotAllowed": 403, "InvalidInput": 422, "Conflict": 409, "PeriodClosed": 409, "Busy": 503}
    assert answers["NotAllowed"].content == b'{"detail": "Say why"}'
    assert answers["Conflict"].content == b'{"detail": "Say why", "field": "reason"}'
    assert answers["Busy"]["Retry-After"] == "30"
