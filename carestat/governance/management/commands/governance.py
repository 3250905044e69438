import datetime as dt
import json
from pathlib import Path

from django.core.management.base import CommandError
from django.http import Http404
from django.utils import timezone

from carestat.core.management.base import AS_USER_HELP, CareStatCommand, command_access, get_org
from carestat.core.permissions import Perm
from carestat.governance import excel, services
from carestat.governance.access import get_extension_for_user, get_recommendation_for_user
from carestat.governance.models import Board, RecStatus, Source
from carestat.governance.progress import linked_actions, overall, tracker
from carestat.plans.access import get_action_for_user

VERBS = ["list", "tracker", "show", "boards", "import", "export", "status", "link", "extend", "decide", "remind"]


def _date(text):
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise CommandError(f"‘{text}’ is not a date; write it as 2027-03-31") from None


class Command(CareStatCommand):
    help = ("The recommendations tracker and boards: list (or tracker), show, boards, import, export, and "
            "status, link, extend, decide on a recommendation; remind emails owners what is due within 14 days "
            "or overdue (daily from cron; --dry-run prints). Everyone reads; managers import, link and decide "
            "extensions; owners change status and ask for extensions. Closing needs evidence; an import with any "
            "bad row imports nothing.")

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=VERBS)
        parser.add_argument("target", nargs="?", help="recommendation id (show, status, link, extend), extension "
                                                      "id (decide) or file path (import)")
        parser.add_argument("--org", required=True, help="the organisation's short name")
        parser.add_argument("--as", dest="as_user", help=AS_USER_HELP)
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")
        parser.add_argument("--source", choices=Source.values)
        parser.add_argument("--status", choices=RecStatus.values, help="filter (list) or the new status (status)")
        parser.add_argument("--overdue", action="store_true")
        parser.add_argument("--reason", default="")
        parser.add_argument("--evidence")
        parser.add_argument("--on", help="effective date of a status change (default today)")
        parser.add_argument("--action", type=int, help="plan action id to link")
        parser.add_argument("--to", help="new due date asked for (extend)")
        parser.add_argument("--approve", action="store_true")
        parser.add_argument("--refuse", action="store_true")
        parser.add_argument("--output", "-o", help="where to write the exported workbook")
        parser.add_argument("--dry-run", action="store_true", help="remind: print the emails; send nothing")

    def handle(self, *args, verb, target, org, as_user, **o):
        access = command_access(get_org(org), as_user)
        access.require(Perm.VIEW)
        if verb in ("list", "tracker"):
            rows = tracker(access.organisation, filters={"source": o["source"], "status": o["status"],
                                                          "overdue": "1" if o["overdue"] else ""})
            today = timezone.localdate()
            if o["json"]:
                self.stdout.write(json.dumps([_row(r, today) for r in rows], indent=1))
                return
            for r in rows:
                self.stdout.write(f"{r.pk:>4}  {r.reference:<8} {r.get_source_display():<36} due {r.due_date}  "
                                  f"{r.get_status_display()}{'  OVERDUE' if r.is_overdue(today) else ''}  "
                                  f"{r.text[:70]}")
            return
        if verb == "remind":
            access.require(Perm.ADMINISTER)
            sent = services.send_reminders(access.organisation, dry_run=o["dry_run"])
            for user, body in sent if o["dry_run"] else []:
                self.stdout.write(f"To: {user.email}\n{body}\n")
            self.stdout.write(f"{'Would send' if o['dry_run'] else 'Sent'} {len(sent)} reminder"
                              f"{'s' if len(sent) != 1 else ''}")
            return
        if verb == "boards":
            for b in Board.objects.filter(organisation=access.organisation):
                self.stdout.write(f"{b.pk:>4}  {b.name} ({b.get_kind_display()}, {b.get_frequency_display().lower()})"
                                  f", {b.meetings.count()} meetings")
            return
        if verb == "export":
            out = Path(o["output"] or f"{org}-recommendations.xlsx")
            out.write_bytes(excel.export_recommendations(access, tracker(access.organisation)))
            self.stdout.write(f"Wrote {out}")
            return
        if not target:
            raise CommandError(f"governance {verb} needs a {'file path' if verb == 'import' else 'id'}")
        if verb == "import":
            path = Path(target)
            if not path.exists():
                raise CommandError(f"No such file: {path}")
            try:
                made = excel.import_recommendations(access, path.read_bytes(), filename=path.name)
            except excel.FileInvalid as exc:
                raise CommandError("Nothing imported:\n" + "\n".join(str(p) for p in exc.problems)) from None
            self.stdout.write(f"Imported {len(made)} recommendations from {path.name}")
            return
        if verb == "decide":
            ext = _get(get_extension_for_user, access, target, "extension")
            if o["approve"] == o["refuse"]:
                raise CommandError("Give --approve or --refuse")
            services.decide_extension(access, ext, approve=o["approve"], note=o["reason"])
            self.stdout.write(f"Extension {ext.pk} {'approved' if o['approve'] else 'refused'}")
            return
        rec = _get(get_recommendation_for_user, access, target, "recommendation")
        if verb == "status":
            if not o["status"]:
                raise CommandError("Give the new status with --status")
            services.change_status(access, rec, status=o["status"], reason=o["reason"], evidence=o["evidence"],
                                   on=_date(o["on"]))
        elif verb == "link":
            if not o["action"]:
                raise CommandError("Give the plan action's id with --action")
            services.link_action(access, rec, _get(get_action_for_user, access, o["action"], "action"))
        elif verb == "extend":
            services.request_extension(access, rec, new_due_date=_date(o["to"]), reason=o["reason"])
        rec.refresh_from_db()
        self._show(rec, o["json"])

    def _show(self, rec, as_json):
        today = timezone.localdate()
        links = linked_actions(rec)
        status, rag = overall(links)
        data = {**_row(rec, today), "agreed_response": rec.agreed_response, "evidence": rec.evidence,
                "plan_status": status.value if status else None, "plan_rag": rag.value if rag else None,
                "actions": [{"id": x.action.pk, "title": x.action.title, "status": x.status.value if x.status else None,
                             "rag": x.rag.value if x.rag else None, "percent_complete": x.percent} for x in links],
                "extensions": [{"id": e.pk, "from": str(e.old_due_date), "to": str(e.new_due_date),
                                "status": e.status} for e in rec.extensions.all()]}
        if as_json:
            self.stdout.write(json.dumps(data, indent=1))
            return
        self.stdout.write(f"{rec.reference} ({rec.get_source_display()}: {rec.source_document})\n{rec.text}")
        self.stdout.write(f"Status {rec.get_status_display()}, due {rec.due_date}"
                          f"{' (overdue)' if data['overdue'] else ''}; owner {data['owner'] or 'none'}")
        for a in data["actions"]:
            self.stdout.write(f"  - action {a['id']} {a['title']}: {a['status']}, RAG {a['rag']}, "
                              f"{a['percent_complete']}% complete")
        for e in data["extensions"]:
            self.stdout.write(f"  extension {e['id']}: {e['from']} to {e['to']} ({e['status']})")


def _row(r, today) -> dict:
    return {"id": r.pk, "reference": r.reference, "source": r.source, "source_document": r.source_document,
            "text": r.text, "owner": r.owner.display_name if r.owner else None,
            "board": r.board.name if r.board else None,
            "due_date": str(r.due_date), "status": r.status, "overdue": r.is_overdue(today)}


def _get(getter, access, pk, what):
    try:
        return getter(access, pk)
    except Http404:
        raise CommandError(f"No {what} {pk} in {access.organisation.name}") from None
