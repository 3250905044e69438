import json

from django.core.management.base import CommandError

from carestat.core.errors import ServiceError
from carestat.core.management.base import CareStatCommand, command_access, get_org
from carestat.jurisdictions import selectors, services


class Command(CareStatCommand):
    help = (
        "Show or set the names an organisation's reports use for its bodies (a Crown dependency's "
        "States Assembly, Ministers and Comptroller and Auditor General in place of an English "
        "council, cabinet and external auditor), or list the catalogue measures that apply in its "
        "jurisdiction. Verbs: bodies, catalogue."
    )

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["bodies", "catalogue"])
        parser.add_argument("--org", required=True, help="The organisation's short name, e.g. jersey")
        parser.add_argument("--set", action="append", default=[], metavar="BODY=NAME",
                            help="bodies: rename one, e.g. --set external_auditor='Comptroller and Auditor General'")
        parser.add_argument("--as", dest="as_user", help="bodies --set: the admin's email")
        parser.add_argument("--all", action="store_true", help="catalogue: every jurisdiction's measures")
        parser.add_argument("--json", action="store_true", help="Print JSON")

    def handle(self, *args, **opts):
        org = get_org(opts["org"])
        if opts["verb"] == "catalogue":
            from carestat.measures.selectors import offered_catalogue

            rows = [{"code": c.code, "title": c.title, "jurisdictions": c.jurisdictions,
                     "framework_group": c.framework_group,
                     "national_value": float(c.national_value) if c.national_value is not None else None,
                     "national_period": c.national_period, "national_source": c.national_source,
                     "source_url": c.source_url}
                    for c in offered_catalogue(org, every_jurisdiction=opts["all"])]
            if opts["json"]:
                self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            else:
                for r in rows:
                    self.stdout.write(f"{r['code']:<22} {r['title'][:90]}")
            return
        if opts["set"]:
            names = {}
            for item in opts["set"]:
                key, sep, value = item.partition("=")
                if not sep:
                    raise CommandError(f"--set {item!r}: write BODY=NAME")
                names[key.strip()] = value
            access = command_access(org, opts.get("as_user"))
            try:
                services.set_body_names(access, **names)
            except ServiceError as exc:
                raise CommandError(str(exc)) from None
        rows = selectors.body_rows(org)
        if opts["json"]:
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        for r in rows:
            self.stdout.write(f"{r['key']:<18} {r['name']}")
