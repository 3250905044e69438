import json
from pathlib import Path

from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404

from carestat.core.management.base import AS_USER_HELP, CareStatCommand, command_access, get_org
from carestat.core.permissions import Perm
from carestat.risks import excel
from carestat.risks.access import get_risk_for_user
from carestat.risks.api import risk_detail, risk_dict
from carestat.risks.models import Risk
from carestat.risks.register import FLAG_FILTERS, filter_rows, register_rows


class Command(CareStatCommand):
    help = ("List, show, export or import the risk register. Everyone reads; only managers and admins import "
            "(a workbook with any bad row imports nothing).")

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["list", "show", "export", "import"])
        parser.add_argument("target", nargs="?", help="risk reference or id (show) or workbook path (import)")
        parser.add_argument("--org", required=True, help="the organisation's short name")
        parser.add_argument("--as", dest="as_user", help=AS_USER_HELP)
        parser.add_argument("--output", "-o", help="where to write the exported workbook")
        parser.add_argument("--json", action="store_true", help="print JSON (list and show), as the API returns")
        parser.add_argument("--flag", action="append", default=[], choices=sorted(FLAG_FILTERS),
                            help="list only risks with this flag (repeatable)")

    def handle(self, *args, verb, target, org, as_user, output, json: bool, flag, **opts):
        access = command_access(get_org(org), as_user)
        access.require(Perm.VIEW)
        as_json = json
        if verb == "list":
            rows = filter_rows(register_rows(access.organisation), flags=flag)
            if as_json:
                self.stdout.write(_dump([risk_dict(r) for r in rows]))
                return
            for r in rows:
                cur = f"{r.current.score} {r.current.band}" if r.current else "not scored"
                words = ", ".join(r.flags.words()) or "no flags"
                self.stdout.write(f"{r.risk.ref:<8} {r.risk.title}  [{r.risk.category.name}] current {cur}, "
                                  f"appetite at most {r.appetite_max}; {words}")
            return
        if verb == "export":
            out = Path(output or "risk-register.xlsx")
            out.write_bytes(excel.export_register(access))
            self.stdout.write(f"Wrote {out}")
            return
        if not target:
            raise CommandError(f"risks {verb} needs a {'workbook path' if verb == 'import' else 'risk reference'}")
        if verb == "import":
            path = Path(target)
            if not path.exists():
                raise CommandError(f"No such file: {path}")
            try:
                made = excel.import_register(access, path.read_bytes(), filename=path.name)
            except excel.WorkbookInvalid as exc:
                raise CommandError("Nothing imported:\n" + "\n".join(str(p) for p in exc.problems)) from None
            self.stdout.write(f"Imported {len(made)} risks: " + ", ".join(r.ref for r in made))
            return
        risk = _risk(access, target)
        d = risk_detail(risk)
        if as_json:
            self.stdout.write(_dump(d))
            return
        self.stdout.write(f"{risk.ref}: {risk.title} ({risk.category.name}, {risk.get_status_display().lower()})")
        for kind in ("inherent", "current", "target"):
            s = d[kind]
            self.stdout.write(f"  {kind.capitalize():<9} " + (f"{s['score']} {s['band']} (L{s['likelihood']} x "
                              f"I{s['impact']}, {s['assessed_on']})" if s else "not scored"))
        self.stdout.write("  Flags: " + (", ".join(d["flags"]) or "none"))
        self.stdout.write(f"  Next review: {risk.next_review}")
        for c in d["controls"]:
            self.stdout.write(f"  Control ({c['effectiveness']}): {c['description']}")
        for m in d["mitigations"]:
            self.stdout.write(f"  Mitigation: {m['action']} ({m['plan']}), due {m['due']}, {m['status']}, {m['rag']}")
        for k in d["indicators"]:
            self.stdout.write(f"  Indicator {k['code']}: {k['rag'] or 'no RAG'}" + (f" - ALERT: {k['why']}"
                                                                                   if k["alert"] else ""))


def _dump(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _risk(access, target):
    risk = Risk.objects.filter(organisation=access.organisation, ref__iexact=target).first()
    if risk is not None:
        return get_risk_for_user(access, risk.pk)
    try:
        return get_risk_for_user(access, target)
    except Http404:
        raise CommandError(f"No risk {target} in {access.organisation.name}") from None
