"""Plans in Excel: a blank template, export of any plan, and import of a new plan.

One workbook layout serves all three, so an exported plan imports as it was. Import checks
every row first and reports each problem by sheet, row and column; if there is any problem,
nothing is imported, and the import itself runs in one transaction through the service
functions, so it is audited like any other change.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from carestat.core.access import Access
from carestat.core.audit import log_action
from carestat.core.errors import ServiceError
from carestat.core.exports import finish_sheet
from carestat.core.models import Membership, Unit
from carestat.core.permissions import Perm
from carestat.core.spreadsheet_cells import safe_cell, safe_row, unquote_cell
from carestat.plans import services
from carestat.plans.models import Action, BauOrChange, Milestone, Objective, Plan, PlanKind

PLAN_FIELDS = ["Title", "Kind", "Description", "Owner unit", "Start date", "End date"]
SHEETS = {
    "Priorities": ["Ref", "Title"],
    "Objectives": ["Ref", "Priority ref", "Statement"],
    "Actions": ["Ref", "Objective ref", "Title", "Owner email", "Lead unit", "BAU or change", "Phase",
                "Start date", "Due date", "Also serves"],
    "Milestones": ["Ref", "Action ref", "Title", "Baseline date", "Forecast date", "Actual date"],
}
KIND_BY_LABEL = {label.lower(): value for value, label in PlanKind.choices}
BAU_BY_LABEL = {label.lower(): value for value, label in BauOrChange.choices} | {"bau": "bau", "change": "change"}


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.sheet} row {self.row}, column '{self.column}': {self.message}"


class WorkbookInvalid(ServiceError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems[:20]), field="workbook")
        self.problems = problems


def _book(plan_values: list, rows: dict[str, list[list]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Plan"
    ws.append(["Field", "Value"])
    for name, value in zip(PLAN_FIELDS, plan_values, strict=True):
        ws.append([name, safe_cell(value)])
    for sheet, headers in SHEETS.items():
        s = wb.create_sheet(sheet)
        s.append(headers)
        for row in rows.get(sheet, []):
            s.append(safe_row(row))
    for s in wb.worksheets:
        finish_sheet(s, width=24)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def template_workbook() -> bytes:
    """A blank plan workbook with one example row on each sheet."""
    today = timezone.localdate()
    return _book(
        ["Adult social care improvement programme", PlanKind.IMPROVEMENT.label, "What the plan is for",
         "Adults' Services", dt.date(today.year, 4, 1), dt.date(today.year + 3, 3, 31)],
        {"Priorities": [["P1", "Backlog clearance"]],
         "Objectives": [["O1", "P1", "No one waits more than 28 days for an assessment"]],
         "Actions": [["A1", "O1", "Clear the occupational therapy backlog", "owner@example.gov.uk",
                      "Occupational Therapy", "Change", "First 100 days", dt.date(today.year, 4, 1),
                      dt.date(today.year, 7, 9), ""]],
         "Milestones": [["M1", "A1", "Agency OTs in post", dt.date(today.year, 5, 1), dt.date(today.year, 5, 1),
                         None]]},
    )


def export_plan(access: Access, plan: Plan) -> bytes:
    """The plan as a workbook (live content, archived items left out); an audited export."""
    access.require(Perm.VIEW)
    priorities = list(plan.priorities.filter(is_archived=False))
    objectives = list(Objective.objects.filter(priority__plan=plan, priority__is_archived=False, is_archived=False))
    actions = list(Action.objects.filter(objective__in=objectives, is_archived=False)
                   .select_related("owner", "lead_unit").prefetch_related("also_serves"))
    milestones = list(Milestone.objects.filter(action__in=actions, is_archived=False))
    p_ref = {p.pk: f"P{i}" for i, p in enumerate(priorities, 1)}
    o_ref = {o.pk: f"O{i}" for i, o in enumerate(objectives, 1)}
    a_ref = {a.pk: f"A{i}" for i, a in enumerate(actions, 1)}
    rows = {
        "Priorities": [[p_ref[p.pk], p.title] for p in priorities],
        "Objectives": [[o_ref[o.pk], p_ref[o.priority_id], o.statement] for o in objectives],
        "Actions": [[a_ref[a.pk], o_ref[a.objective_id], a.title, a.owner.email if a.owner else "",
                     a.lead_unit.name if a.lead_unit else "", a.get_bau_or_change_display(), a.phase, a.start, a.due,
                     ", ".join(o_ref[o.pk] for o in a.also_serves.all() if o.pk in o_ref)] for a in actions],
        "Milestones": [[f"M{i}", a_ref[m.action_id], m.title, m.baseline_date, m.forecast_date, m.actual_date]
                       for i, m in enumerate(milestones, 1)],
    }
    content = _book([plan.title, plan.get_kind_display(), plan.description,
                     plan.owner_unit.name if plan.owner_unit else "", plan.start, plan.end], rows)
    log_action("plans.plan.exported", actor=access.user, organisation=access.organisation, record=plan,
               message=f"{access.user.display_name} exported plan ‘{plan.title}’ to Excel "
               f"({len(actions)} actions, {len(milestones)} milestones)")
    return content


# Import -------------------------------------------------------------------------------------

class _Reader:
    def __init__(self, access: Access):
        self.access = access
        self.problems: list[Problem] = []
        self.units = {u.name.lower(): u for u in Unit.objects.filter(organisation=access.organisation)}
        self.members = {m.user.email.lower(): m.user for m in Membership.objects.filter(
            organisation=access.organisation, is_active=True).select_related("user")}

    def problem(self, sheet, row, column, message):
        self.problems.append(Problem(sheet, row, column, message))

    def text(self, value) -> str:
        return "" if value is None else str(unquote_cell(value)).strip()

    def date(self, sheet, row, column, value, required=True) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = self.text(value)
        if not text:
            if required:
                self.problem(sheet, row, column, "is blank; enter a date such as 31/03/2026")
            return None
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        self.problem(sheet, row, column, f"'{text}' is not a date; write it as 31/03/2026")
        return None

    def unit(self, sheet, row, column, value) -> Unit | None:
        name = self.text(value)
        if not name:
            return None
        unit = self.units.get(name.lower())
        if unit is None:
            self.problem(sheet, row, column, f"'{name}' is not a unit of {self.access.organisation.name}")
        return unit


def _rows(wb, sheet: str, reader: _Reader) -> list[tuple[int, dict]]:
    if sheet not in wb.sheetnames:
        reader.problem(sheet, 1, "", f"the workbook has no '{sheet}' sheet; start from the template")
        return []
    ws = wb[sheet]
    header = [reader.text(c.value) for c in ws[1]]
    missing = [h for h in SHEETS[sheet] if h not in header]
    for h in missing:
        reader.problem(sheet, 1, h, "this column is missing; start from the template")
    if missing:
        return []
    out = []
    for number, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        out.append((number, {h: values[i] if i < len(values) else None for i, h in enumerate(header) if h}))
    return out


def import_plan(access: Access, content: bytes, *, filename: str = "workbook", title: str | None = None) -> Plan:
    """Create a new plan from a workbook laid out as the template. Nothing is created unless
    every row is valid. ``title`` replaces the workbook's title (to import a copy)."""
    access.require(Perm.MANAGE)
    try:
        wb = load_workbook(io.BytesIO(content), data_only=True)
    except Exception:
        raise WorkbookInvalid([Problem(filename, 1, "", "is not an Excel workbook (.xlsx)")]) from None
    r = _Reader(access)
    plan_data = _read_plan(wb, r, title)
    priorities = {}
    for row, v in _rows(wb, "Priorities", r):
        ref, t = r.text(v["Ref"]), r.text(v["Title"])
        if not ref or ref in priorities:
            r.problem("Priorities", row, "Ref", "is blank or used twice; give each priority its own reference")
        if not t:
            r.problem("Priorities", row, "Title", "is blank")
        priorities[ref] = {"row": row, "title": t}
    objectives = {}
    for row, v in _rows(wb, "Objectives", r):
        ref, pref = r.text(v["Ref"]), r.text(v["Priority ref"])
        if not ref or ref in objectives:
            r.problem("Objectives", row, "Ref", "is blank or used twice; give each objective its own reference")
        if pref not in priorities:
            r.problem("Objectives", row, "Priority ref", f"'{pref}' is not a priority on the Priorities sheet")
        if not r.text(v["Statement"]):
            r.problem("Objectives", row, "Statement", "is blank")
        objectives[ref] = {"row": row, "priority": pref, "statement": r.text(v["Statement"])}
    actions = {}
    for row, v in _rows(wb, "Actions", r):
        s = "Actions"
        ref, oref = r.text(v["Ref"]), r.text(v["Objective ref"])
        if not ref or ref in actions:
            r.problem(s, row, "Ref", "is blank or used twice; give each action its own reference")
        if oref not in objectives:
            r.problem(s, row, "Objective ref", f"'{oref}' is not an objective on the Objectives sheet")
        if not r.text(v["Title"]):
            r.problem(s, row, "Title", "is blank")
        email = r.text(v["Owner email"]).lower()
        owner = r.members.get(email) if email else None
        if email and owner is None:
            r.problem(s, row, "Owner email", f"'{email}' is not a member of {access.organisation.name}")
        bau_text = r.text(v["BAU or change"]).lower() or "change"
        bau = BAU_BY_LABEL.get(bau_text)
        if bau is None:
            r.problem(s, row, "BAU or change", f"'{v['BAU or change']}' must be 'Business as usual' or 'Change'")
        serves = [x.strip() for x in r.text(v["Also serves"]).split(",") if x.strip()]
        for x in serves:
            if x not in objectives:
                r.problem(s, row, "Also serves", f"'{x}' is not an objective on the Objectives sheet")
        start = r.date(s, row, "Start date", v["Start date"], required=False)
        due = r.date(s, row, "Due date", v["Due date"])
        if start and due and due < start:
            r.problem(s, row, "Due date", "is before the start date")
        actions[ref] = {"row": row, "objective": oref, "title": r.text(v["Title"]), "owner": owner,
                        "lead_unit": r.unit(s, row, "Lead unit", v["Lead unit"]), "bau_or_change": bau or "change",
                        "phase": r.text(v["Phase"]), "start": start, "due": due, "also_serves": serves}
    milestones = []
    today = timezone.localdate()
    for row, v in _rows(wb, "Milestones", r):
        s = "Milestones"
        aref = r.text(v["Action ref"])
        if aref not in actions:
            r.problem(s, row, "Action ref", f"'{aref}' is not an action on the Actions sheet")
        if not r.text(v["Title"]):
            r.problem(s, row, "Title", "is blank")
        baseline = r.date(s, row, "Baseline date", v["Baseline date"])
        forecast = r.date(s, row, "Forecast date", v["Forecast date"], required=False)
        actual = r.date(s, row, "Actual date", v["Actual date"], required=False)
        if actual and actual > today:
            r.problem(s, row, "Actual date", "is in the future; leave it blank until the milestone is achieved")
        milestones.append({"row": row, "action": aref, "title": r.text(v["Title"]), "baseline": baseline,
                           "forecast": forecast, "actual": actual})
    if r.problems:
        raise WorkbookInvalid(r.problems)
    return _create(access, plan_data, priorities, objectives, actions, milestones, filename)


def _read_plan(wb, r: _Reader, title: str | None) -> dict:
    if "Plan" not in wb.sheetnames:
        r.problem("Plan", 1, "", "the workbook has no 'Plan' sheet; start from the template")
        return {}
    values, rows = {}, {}
    for number, row in enumerate(wb["Plan"].iter_rows(min_row=2, values_only=True), start=2):
        if row and row[0]:
            values[r.text(row[0])] = row[1] if len(row) > 1 else None
            rows[r.text(row[0])] = number
    data = {}
    for name in PLAN_FIELDS:
        if name not in values:
            r.problem("Plan", 1, "Field", f"the '{name}' row is missing")
    t = title or r.text(values.get("Title"))
    if not t:
        r.problem("Plan", rows.get("Title", 2), "Value", "the plan's title is blank")
    elif Plan.objects.filter(organisation=r.access.organisation, title__iexact=t).exists():
        r.problem("Plan", rows.get("Title", 2), "Value",
                  f"a plan called '{t}' already exists; change the title to import a new plan")
    kind = KIND_BY_LABEL.get(r.text(values.get("Kind")).lower())
    if kind is None:
        r.problem("Plan", rows.get("Kind", 3), "Value",
                  f"'{r.text(values.get('Kind'))}' is not a kind of plan; use one of "
                  + ", ".join(label for _, label in PlanKind.choices))
    data.update(title=t, kind=kind, description=r.text(values.get("Description")),
                owner_unit=r.unit("Plan", rows.get("Owner unit", 5), "Value", values.get("Owner unit")),
                start=r.date("Plan", rows.get("Start date", 6), "Value", values.get("Start date")),
                end=r.date("Plan", rows.get("End date", 7), "Value", values.get("End date")))
    return data


@transaction.atomic
def _create(access, plan_data, priorities, objectives, actions, milestones, filename) -> Plan:
    plan = services.create_plan(access, **plan_data)
    made_p = {ref: services.add_priority(access, plan, title=p["title"]) for ref, p in priorities.items()}
    made_o = {ref: services.add_objective(access, made_p[o["priority"]], statement=o["statement"])
              for ref, o in objectives.items()}
    made_a = {}
    for ref, a in actions.items():
        try:
            made_a[ref] = services.add_action(
                access, made_o[a["objective"]], title=a["title"], due=a["due"], owner=a["owner"],
                lead_unit=a["lead_unit"], bau_or_change=a["bau_or_change"], phase=a["phase"], start=a["start"],
                also_serves=[made_o[x] for x in a["also_serves"]])
        except ServiceError as exc:
            raise WorkbookInvalid([Problem("Actions", a["row"], exc.field or "", exc.message)]) from None
    for m in milestones:
        milestone = services.add_milestone(access, made_a[m["action"]], title=m["title"], baseline_date=m["baseline"])
        services.import_milestone_dates(access, milestone, forecast=m["forecast"], actual=m["actual"],
                                        source=filename)
    log_action("plans.plan.imported", actor=access.user, organisation=access.organisation, record=plan,
               message=f"{access.user.display_name} imported plan ‘{plan.title}’ from {filename} "
               f"({len(actions)} actions, {len(milestones)} milestones)")
    return plan
