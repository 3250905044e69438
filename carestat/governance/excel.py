"""Recommendations in and out of spreadsheets.

Import reads an Excel workbook (first sheet) or a CSV file with one recommendation a row. Every
row is checked first, and each problem is reported by row and column; if there is any problem
nothing is imported. The rows are then created in one transaction through the services, so
each is audited like a recommendation added by hand (and a status given in the file is
reached by audited status changes, closing needing evidence as always). Export writes every
cell through the formula-safe helper.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db import transaction
from openpyxl import Workbook, load_workbook

from carestat.core.access import Access
from carestat.core.audit import log_action
from carestat.core.errors import ServiceError
from carestat.core.exports import finish_sheet
from carestat.core.models import Membership
from carestat.core.permissions import Perm
from carestat.core.spreadsheet_cells import safe_row, unquote_cell
from carestat.governance import services
from carestat.governance.models import Board, Recommendation, RecPriority, RecStatus, Response, Source
from carestat.plans.models import Action

COLUMNS = ["Source", "Source document", "Reference", "Date raised", "Recommendation", "Priority", "Owner email",
           "Board", "Response", "Agreed response", "Due date", "Status", "Evidence", "Linked actions"]
REQUIRED = ["Source", "Source document", "Reference", "Date raised", "Recommendation", "Due date"]


def _by_label(choices) -> dict[str, str]:
    out = {}
    for value, label in choices.choices:
        out[label.lower()] = value
        out[value] = value
        out[label.lower().removeprefix("inspection: ")] = value
    return out


SOURCES, PRIORITIES, RESPONSES = _by_label(Source), _by_label(RecPriority), _by_label(Response)
STATUSES = _by_label(RecStatus) | {"closed": RecStatus.CLOSED, "in progress": RecStatus.IN_PROGRESS}
# A status in the file is reached by these audited steps from open.
PATHS = {RecStatus.OPEN: [], RecStatus.IN_PROGRESS: [RecStatus.IN_PROGRESS],
         RecStatus.IMPLEMENTED: [RecStatus.IMPLEMENTED], RecStatus.CLOSED: [RecStatus.IMPLEMENTED, RecStatus.CLOSED],
         RecStatus.NOT_ACCEPTED: [RecStatus.NOT_ACCEPTED]}


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, column '{self.column}': {self.message}"


class FileInvalid(ServiceError):
    def __init__(self, problems: list[Problem]):
        super().__init__("Nothing imported. " + "; ".join(str(p) for p in problems[:20]), field="file")
        self.problems = problems


def _read_rows(content: bytes, filename: str) -> list[list]:
    if filename.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FileInvalid([Problem(1, "", "the CSV file is not UTF-8 text; save it as CSV UTF-8")]) from None
        return [list(r) for r in csv.reader(io.StringIO(text))]
    try:
        wb = load_workbook(io.BytesIO(content), data_only=True, read_only=True)
    except Exception:
        raise FileInvalid([Problem(1, "", f"{filename} is not an Excel workbook (.xlsx) or a CSV file")]) from None
    return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]


def _text(value) -> str:
    return "" if value is None else str(unquote_cell(value)).strip()


def _date(value) -> dt.date | None | str:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return text  # not a date: the caller reports it


def import_recommendations(access: Access, content: bytes, *, filename: str = "file") -> list[Recommendation]:
    """Create every recommendation in the file, or none. Returns those created."""
    access.require(Perm.MANAGE)
    rows = _read_rows(content, filename)
    problems: list[Problem] = []
    if not rows:
        raise FileInvalid([Problem(1, "", "the file is empty; start from an export or the column list")])
    header = [_text(h) for h in rows[0]]
    for name in REQUIRED:
        if name not in header:
            problems.append(Problem(1, name, "this column is missing"))
    if problems:
        raise FileInvalid(problems)
    org = access.organisation
    members = {m.user.email.lower(): m.user for m in
               Membership.objects.filter(organisation=org, is_active=True).select_related("user")}
    boards = {b.name.lower(): b for b in Board.objects.filter(organisation=org, is_archived=False)}
    actions: dict[str, list[Action]] = {}
    for a in Action.objects.filter(objective__priority__plan__organisation=org, is_archived=False):
        actions.setdefault(a.title.lower(), []).append(a)
    seen = {(d.lower(), r.lower()) for d, r in
            Recommendation.objects.filter(organisation=org).values_list("source_document", "reference")}
    parsed = []
    for number, values in enumerate(rows[1:], start=2):
        v = {h: values[i] if i < len(values) else None for i, h in enumerate(header) if h}
        if all(_text(x) == "" for x in v.values()):
            continue

        def bad(column, message, number=number):
            problems.append(Problem(number, column, message))

        out = {"row": number}
        for column, table, key, default in (("Source", SOURCES, "source", None),
                                            ("Priority", PRIORITIES, "priority", RecPriority.MEDIUM),
                                            ("Response", RESPONSES, "response", Response.PENDING),
                                            ("Status", STATUSES, "status", RecStatus.OPEN)):
            text = _text(v.get(column)).lower()
            if not text and default is not None:
                out[key] = default
            elif text in table:
                out[key] = table[text]
            else:
                bad(column, f"'{_text(v.get(column))}' is not one of: "
                    + ", ".join(label for _, label in {"Source": Source, "Priority": RecPriority,
                                                      "Response": Response, "Status": RecStatus}[column].choices))
        for column, key in (("Source document", "source_document"), ("Reference", "reference"),
                            ("Recommendation", "text")):
            out[key] = _text(v.get(column))
            if not out[key]:
                bad(column, "is blank")
        for column, key in (("Date raised", "raised_on"), ("Due date", "due_date")):
            day = _date(v.get(column))
            if day is None:
                bad(column, "is blank; enter a date such as 31/03/2027")
            elif isinstance(day, str):
                bad(column, f"'{day}' is not a date; write it as 31/03/2027")
                day = None
            out[key] = day
        if out["raised_on"] and out["due_date"] and out["due_date"] < out["raised_on"]:
            bad("Due date", "is before the date the recommendation was made")
        key = (out["source_document"].lower(), out["reference"].lower())
        if out["source_document"] and out["reference"]:
            if key in seen:
                bad("Reference", f"'{out['source_document']}' already has a recommendation {out['reference']}")
            seen.add(key)
        email = _text(v.get("Owner email")).lower()
        out["owner"] = members.get(email) if email else None
        if email and out["owner"] is None:
            bad("Owner email", f"'{email}' is not a member of {org.name}")
        board = _text(v.get("Board"))
        out["board"] = boards.get(board.lower()) if board else None
        if board and out["board"] is None:
            bad("Board", f"'{board}' is not a board of {org.name}")
        out["agreed_response"] = _text(v.get("Agreed response"))
        out["evidence"] = _text(v.get("Evidence"))
        if out.get("status") == RecStatus.CLOSED and not out["evidence"]:
            bad("Evidence", "is blank; a closed recommendation needs its evidence")
        if out.get("response") == Response.REJECTED and not out["agreed_response"]:
            bad("Agreed response", "is blank; say why the recommendation is not accepted")
        out["actions"] = []
        for title in [t.strip() for t in _text(v.get("Linked actions")).split(";") if t.strip()]:
            found = actions.get(title.lower(), [])
            if len(found) != 1:
                bad("Linked actions", f"'{title}' is {'not an action' if not found else 'more than one action'} "
                    f"of {org.name}'s plans; give its exact title, separating several with ';'")
            else:
                out["actions"].append(found[0])
        parsed.append(out)
    if problems:
        raise FileInvalid(problems)
    return _create(access, parsed, filename)


@transaction.atomic
def _create(access: Access, parsed: list[dict], filename: str) -> list[Recommendation]:
    made = []
    for r in parsed:
        try:
            rec = services.create_recommendation(
                access, source=r["source"], source_document=r["source_document"], reference=r["reference"],
                raised_on=r["raised_on"], text=r["text"], priority=r["priority"], owner=r["owner"], board=r["board"],
                response=r["response"], agreed_response=r["agreed_response"], due_date=r["due_date"])
            for action in r["actions"]:
                services.link_action(access, rec, action)
            if rec.status == RecStatus.OPEN:
                for step in PATHS[r["status"]]:
                    services.change_status(access, rec, status=step, reason=f"As recorded in {filename}",
                                           evidence=r["evidence"] or None)
                    rec.refresh_from_db()
        except ServiceError as exc:
            raise FileInvalid([Problem(r["row"], exc.field or "", exc.message)]) from None
        made.append(rec)
    log_action("governance.recommendations.imported", actor=access.user, organisation=access.organisation,
               message=f"{access.user.display_name} imported {len(made)} recommendations from {filename}")
    return made


def export_recommendations(access: Access, recs: list[Recommendation]) -> bytes:
    """The tracker as a workbook in the import's layout; an audited export."""
    access.require(Perm.VIEW)
    wb = Workbook()
    ws = wb.active
    ws.title = "Recommendations"
    ws.append(COLUMNS)
    for r in recs:
        ws.append(safe_row([
            r.get_source_display(), r.source_document, r.reference, r.raised_on, r.text, r.get_priority_display(),
            r.owner.email if r.owner else "", r.board.name if r.board else "", r.get_response_display(),
            r.agreed_response, r.due_date, r.get_status_display(), r.evidence,
            "; ".join(a.title for a in r.actions.all())]))
    finish_sheet(ws, width=24)
    out = io.BytesIO()
    wb.save(out)
    log_action("governance.recommendations.exported", actor=access.user, organisation=access.organisation,
               message=f"{access.user.display_name} exported {len(recs)} recommendations to Excel")
    return out.getvalue()
