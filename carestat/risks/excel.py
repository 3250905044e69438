"""A risk register in Excel: export, and import of an existing register.

The "Risks" sheet has the columns councils keep (Ref, Title, Owner, L, I, Controls, Actions)
and a few more CareStat needs (Category) or can use (Cause, Event, Consequence, Unit, Target
L, Target I, Assessed on, Reason). An optional "Assessments" sheet holds earlier scores, so a
register's history comes with it; the export writes both, so an exported register imports as
it was into a register without those references.

Import checks every row first and reports each problem by sheet, row and column; if there is
any problem nothing is imported. The import then runs in one transaction through the risk
services, so every risk, score, control and link is audited like any other change.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from carestat.analytics import risks as scoring
from carestat.core import services as core_services
from carestat.core.access import Access
from carestat.core.audit import log_action
from carestat.core.errors import ServiceError
from carestat.core.exports import finish_sheet
from carestat.core.models import Membership, Unit
from carestat.core.permissions import Perm
from carestat.core.spreadsheet_cells import safe_row, unquote_cell
from carestat.plans.models import Action
from carestat.risks import services
from carestat.risks.models import (
    Assessment,
    AssessmentKind,
    Control,
    Effectiveness,
    Risk,
    RiskCategory,
    matrix_for,
)
from carestat.risks.register import register_rows

COLUMNS = ["Ref", "Title", "Owner", "L", "I", "Controls", "Actions", "Category", "Cause", "Event",
           "Consequence", "Unit", "Target L", "Target I", "Assessed on", "Reason"]
REQUIRED = ["Ref", "Title", "Owner", "L", "I", "Controls", "Actions", "Category"]
HISTORY = ["Ref", "Kind", "L", "I", "Assessed on", "Reason"]
EFFECT_WORDS = {"effective": Effectiveness.EFFECTIVE, "partly": Effectiveness.PARTLY,
                "partly effective": Effectiveness.PARTLY, "not": Effectiveness.NOT,
                "not effective": Effectiveness.NOT}
EFFECT_OUT = {Effectiveness.EFFECTIVE: "effective", Effectiveness.PARTLY: "partly", Effectiveness.NOT: "not"}
_CONTROL = re.compile(r"^(?P<text>.*?)\s*(\[(?P<effect>[^\]]+)\])?$")


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


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;\n]", text or "") if p.strip()]


# Export --------------------------------------------------------------------------------------

def export_register(access: Access) -> bytes:
    """The open register (and its score history) as a workbook; an audited export."""
    access.require(Perm.VIEW)
    rows = sorted(register_rows(access.organisation, indicators=False, issues=None), key=lambda r: r.risk.ref)
    wb = Workbook()
    ws = wb.active
    ws.title = "Risks"
    ws.append(COLUMNS)
    hist = wb.create_sheet("Assessments")
    hist.append(HISTORY)
    for row in rows:
        r = row.risk
        controls = "; ".join(f"{c.description} [{EFFECT_OUT[c.effectiveness]}]"
                             for c in r.controls.filter(is_archived=False))
        actions = "; ".join(m.action.title for m in r.mitigations.filter(is_archived=False).select_related("action"))
        cur, tgt = row.current, row.target
        if tgt is not None and (cur is None or tgt.assessed_on != cur.assessed_on):
            tgt = None  # the target was set on another day: it goes in the history sheet with its own date
        ws.append(safe_row([r.ref, r.title, r.owner.email if r.owner else "", cur.likelihood if cur else None,
                            cur.impact if cur else None, controls, actions, r.category.name, r.cause, r.event,
                            r.consequence, r.unit.name if r.unit else "", tgt.likelihood if tgt else None,
                            tgt.impact if tgt else None, cur.assessed_on if cur else None,
                            cur.reason if cur else ""]))
        for a in r.assessments.all():
            if a.pk in (getattr(cur, "pk", None), getattr(tgt, "pk", None)):
                continue
            hist.append(safe_row([r.ref, a.get_kind_display(), a.likelihood, a.impact, a.assessed_on, a.reason]))
    for s in wb.worksheets:
        finish_sheet(s)
    out = io.BytesIO()
    wb.save(out)
    log_action("risks.register.exported", actor=access.user, organisation=access.organisation,
               message=f"{access.user.display_name} exported the risk register to Excel ({len(rows)} risks)")
    return out.getvalue()


# Import --------------------------------------------------------------------------------------

class _Reader:
    def __init__(self, access: Access):
        self.access = access
        self.org = access.organisation
        self.problems: list[Problem] = []
        self.matrix = matrix_for(self.org)
        self.today = timezone.localdate()
        self.units = {u.name.lower(): u for u in Unit.objects.filter(organisation=self.org)}
        self.categories = {c.name.lower(): c for c in RiskCategory.objects.filter(organisation=self.org,
                                                                                 is_archived=False)}
        self.members = {}
        for m in Membership.objects.filter(organisation=self.org, is_active=True).select_related("user"):
            self.members[m.user.email.lower()] = m.user
            self.members[m.user.display_name.lower()] = m.user
        self.actions: dict[str, list[Action]] = {}
        for a in Action.objects.filter(objective__priority__plan__organisation=self.org, is_archived=False):
            self.actions.setdefault(a.title.strip().lower(), []).append(a)

    def problem(self, sheet, row, column, message):
        self.problems.append(Problem(sheet, row, column, message))

    def text(self, value) -> str:
        return "" if value is None else str(unquote_cell(value)).strip()

    def level(self, sheet, row, column, value, field, required=True) -> int | None:
        text = self.text(value)
        if not text:
            if required:
                self.problem(sheet, row, column, f"is blank; enter the {field} from 1 to "
                             f"{len(self.matrix.likelihood if field == 'likelihood' else self.matrix.impact)}")
            return None
        try:
            number = int(float(text)) if float(text) == int(float(text)) else None
        except ValueError:
            number = None
        if number is None:
            self.problem(sheet, row, column, f"'{text}' is not a whole number")
            return None
        try:
            return self.matrix.check_level(number, field)
        except scoring.ScoreError as exc:
            self.problem(sheet, row, column, exc.message)
            return None

    def date(self, sheet, row, column, value) -> dt.date | None:
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        else:
            text = self.text(value)
            if not text:
                return None
            day = None
            for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
                try:
                    day = dt.datetime.strptime(text, fmt).date()
                    break
                except ValueError:
                    continue
            if day is None:
                self.problem(sheet, row, column, f"'{text}' is not a date; write it as 31/03/2026")
                return None
        if day > self.today:
            self.problem(sheet, row, column, "is in the future; an assessment is dated when it was made")
            return None
        closed = core_services.closed_periods_containing(self.org, day)
        if closed:
            self.problem(sheet, row, column, f"falls in {closed[0].identifier}, which is closed, so its assessments "
                         "are frozen; a manager can reopen it with a reason")
            return None
        return day


def _rows(wb, sheet: str, headers: list[str], required: list[str], reader: _Reader, optional_sheet=False):
    if sheet not in wb.sheetnames:
        if not optional_sheet:
            reader.problem(sheet, 1, "", f"the workbook has no '{sheet}' sheet; its columns are "
                           + ", ".join(headers))
        return []
    ws = wb[sheet]
    header = [reader.text(c.value) for c in ws[1]]
    missing = [h for h in required if h not in header]
    for h in missing:
        reader.problem(sheet, 1, h, "this column is missing")
    if missing:
        return []
    out = []
    for number, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        out.append((number, {h: (values[i] if i < len(values) else None) for i, h in enumerate(header) if h}))
    return out


def import_register(access: Access, content: bytes, *, filename: str = "workbook") -> list[Risk]:
    """Add the risks in a workbook to the register. Nothing is added unless every row is valid."""
    access.require(Perm.MANAGE)
    try:
        wb = load_workbook(io.BytesIO(content), data_only=True)
    except Exception:
        raise WorkbookInvalid([Problem(filename, 1, "", "is not an Excel workbook (.xlsx)")]) from None
    r = _Reader(access)
    existing = {ref.lower() for ref in Risk.objects.filter(organisation=r.org).values_list("ref", flat=True)}
    risks: dict[str, dict] = {}
    s = "Risks"
    for row, v in _rows(wb, s, COLUMNS, REQUIRED, r):
        g = lambda name, v=v: r.text(v.get(name))  # noqa: E731
        ref = g("Ref")
        if not ref:
            r.problem(s, row, "Ref", "is blank; give each risk its own reference")
        elif ref.lower() in existing:
            r.problem(s, row, "Ref", f"'{ref}' is already on the register")
        elif ref.lower() in risks:
            r.problem(s, row, "Ref", f"'{ref}' is used twice in the workbook")
        elif len(ref) > 20:
            r.problem(s, row, "Ref", "is longer than 20 characters")
        if not g("Title"):
            r.problem(s, row, "Title", "is blank")
        owner = None
        if g("Owner"):
            owner = r.members.get(g("Owner").lower())
            if owner is None:
                r.problem(s, row, "Owner", f"'{g('Owner')}' is not a member of {r.org.name} (give their email)")
        category = r.categories.get(g("Category").lower())
        if not g("Category"):
            r.problem(s, row, "Category", "is blank; use one of " + ", ".join(c.name for c in r.categories.values()))
        elif category is None:
            r.problem(s, row, "Category", f"'{g('Category')}' is not a risk category of {r.org.name}; use one of "
                      + ", ".join(c.name for c in r.categories.values()))
        unit = None
        if g("Unit"):
            unit = r.units.get(g("Unit").lower())
            if unit is None:
                r.problem(s, row, "Unit", f"'{g('Unit')}' is not a unit of {r.org.name}")
        likelihood = r.level(s, row, "L", v.get("L"), "likelihood")
        impact = r.level(s, row, "I", v.get("I"), "impact")
        target_l = r.level(s, row, "Target L", v.get("Target L"), "likelihood", required=False)
        target_i = r.level(s, row, "Target I", v.get("Target I"), "impact", required=False)
        if bool(g("Target L")) != bool(g("Target I")):
            r.problem(s, row, "Target L" if not g("Target L") else "Target I",
                      "give both the target likelihood and impact, or neither")
        controls = []
        for part in _split(g("Controls")):
            m = _CONTROL.match(part)
            effect_word = (m.group("effect") or "partly").strip().lower()
            effect = EFFECT_WORDS.get(effect_word)
            if effect is None:
                r.problem(s, row, "Controls", f"'[{m.group('effect')}]' after ‘{m.group('text')[:40]}’ must be "
                          "[effective], [partly] or [not]")
            controls.append((m.group("text"), effect))
        actions = []
        for title in _split(g("Actions")):
            found = r.actions.get(title.lower(), [])
            if not found:
                r.problem(s, row, "Actions", f"‘{title}’ is not an action in any plan of {r.org.name}")
            elif len(found) > 1:
                r.problem(s, row, "Actions", f"‘{title}’ matches {len(found)} actions; rename one so each is unique")
            else:
                actions.append(found[0])
        assessed_on = r.date(s, row, "Assessed on", v.get("Assessed on")) or r.today
        risks[ref.lower()] = {"row": row, "ref": ref, "title": g("Title"), "owner": owner, "category": category,
                              "unit": unit, "cause": g("Cause"), "event": g("Event"), "consequence": g("Consequence"),
                              "current": (likelihood, impact, assessed_on,
                                          g("Reason") or f"Imported from {filename}"),
                              "target": (target_l, target_i) if target_l and target_i else None,
                              "controls": controls, "actions": actions, "history": []}
    h = "Assessments"
    kinds = {label.lower(): value for value, label in AssessmentKind.choices}
    for row, v in _rows(wb, h, HISTORY, HISTORY, r, optional_sheet=True):
        ref = r.text(v.get("Ref"))
        if ref.lower() not in risks:
            r.problem(h, row, "Ref", f"'{ref}' is not a risk on the Risks sheet")
        kind = kinds.get(r.text(v.get("Kind")).lower())
        if kind is None:
            r.problem(h, row, "Kind", f"'{r.text(v.get('Kind'))}' must be Inherent, Current or Target")
        likelihood = r.level(h, row, "L", v.get("L"), "likelihood")
        impact = r.level(h, row, "I", v.get("I"), "impact")
        day = r.date(h, row, "Assessed on", v.get("Assessed on"))
        if day is None and not r.text(v.get("Assessed on")):
            r.problem(h, row, "Assessed on", "is blank; enter the date of the assessment")
        reason = r.text(v.get("Reason"))
        if len(reason) < 5:
            r.problem(h, row, "Reason", "is blank or too short; give the reason for the score")
        if ref.lower() in risks:
            risks[ref.lower()]["history"].append((kind, likelihood, impact, day, reason))
    if not risks and not r.problems:
        r.problem(s, 2, "Ref", "the sheet has no risks")
    if r.problems:
        raise WorkbookInvalid(r.problems)
    return _create(access, list(risks.values()), filename)


@transaction.atomic
def _create(access: Access, risks: list[dict], filename: str) -> list[Risk]:
    made = []
    for spec in risks:
        try:
            risk = services.create_risk(access, ref=spec["ref"], title=spec["title"], category=spec["category"],
                                        cause=spec["cause"], event=spec["event"], consequence=spec["consequence"],
                                        unit=spec["unit"], owner=spec["owner"])
            l_, i_, day, reason = spec["current"]
            scores = [*spec["history"], ("current", l_, i_, day, reason)]
            if spec["target"]:
                scores.append(("target", *spec["target"], day, reason))
            for kind, likelihood, impact, on, why in sorted(scores, key=lambda t: t[3]):
                services.assess(access, risk, kind=kind, likelihood=likelihood, impact=impact, assessed_on=on,
                                reason=why)
            for text, effect in spec["controls"]:
                services.add_control(access, risk, description=text, effectiveness=effect)
            for action in spec["actions"]:
                services.link_action(access, risk, action)
        except ServiceError as exc:
            raise WorkbookInvalid([Problem("Risks", spec["row"], exc.field or "", exc.message)]) from None
        made.append(risk)
    log_action("risks.register.imported", actor=access.user, organisation=access.organisation,
               message=f"{access.user.display_name} imported {len(made)} risks from {filename} "
               f"({Assessment.objects.filter(risk__in=made).count()} assessments, "
               f"{Control.objects.filter(risk__in=made).count()} controls)")
    return made
