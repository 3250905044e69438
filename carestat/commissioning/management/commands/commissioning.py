import json
from pathlib import Path

from django.core.management.base import CommandError

from carestat.analytics import commissioning as calc
from carestat.analytics.finance import format_money
from carestat.commissioning import selectors, services
from carestat.core.management.base import AS_USER_HELP, CareStatCommand, command_access, get_org
from carestat.core.permissions import Perm


class Command(CareStatCommand):
    help = ("Import a providers, contracts register, payments or quality ratings CSV (all rows or none; the same "
            "file twice changes nothing; managers and admins), or show the market map: spend and contract value "
            "by sector per financial year, the VCSE share with its sources, concentration and the pipeline.")

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["import", "market"])
        parser.add_argument("kind", nargs="?", choices=["providers", "contracts", "payments", "ratings"],
                            help="what the file holds (import)")
        parser.add_argument("path", nargs="?", help="the file's path (import)")
        parser.add_argument("--org", required=True, help="the organisation's short name")
        parser.add_argument("--as", dest="as_user", help=AS_USER_HELP)
        parser.add_argument("--public", action="store_true",
                            help="market: leave out the values of commercially sensitive contracts")
        parser.add_argument("--json", action="store_true", help="write JSON instead of text")

    def handle(self, *args, verb, kind, path, org, as_user, public, json: bool, **opts):
        access = command_access(get_org(org), as_user)
        access.require(Perm.VIEW)
        if verb == "import":
            if not kind or not path:
                raise CommandError("commissioning import needs what the file holds and its path, such as "
                                   "'commissioning import payments spend-2026.csv'")
            file = Path(path)
            if not file.exists():
                raise CommandError(f"No such file: {file}")
            try:
                if kind == "payments":  # long: say how far it has got
                    result = services.import_payments(access, file.read_bytes(), filename=file.name,
                                                      progress=lambda msg: self.stderr.write(msg))
                else:
                    result = services.import_file(access, kind, file.read_bytes(), filename=file.name)
            except services.ImportInvalid as exc:
                if json:
                    self.stdout.write(_dumps({"imported": False, "problems": [
                        {"file": p.file, "row": p.row, "column": p.column, "message": p.message}
                        for p in exc.problems]}))
                raise CommandError("Nothing imported:\n" + "\n".join(str(p) for p in exc.problems)) from None
            self.stdout.write(_dumps({"imported": True, **result.as_json()}) if json else result.summary)
            return
        m = selectors.market(access.organisation)
        if json:
            self.stdout.write(_dumps(selectors.market_json(m, public=public)))
            return
        if not m.years:
            self.stdout.write("No contracts or payments yet.")
        for y in m.years:
            v = y.vcse
            self.stdout.write(f"{y.year}: spend {format_money(v.spend_total)}, with VCSE providers "
                              f"{format_money(v.spend)} ({v.spend_share if v.spend_share is not None else '-'}%); "
                              f"contract value {format_money(v.contract_total)}, VCSE {format_money(v.contract_value)}"
                              f" ({v.contract_share if v.contract_share is not None else '-'}%); "
                              f"top five {y.concentration.top_share}%, HHI {y.concentration.hhi}")
            for key, amount in y.spend_by_group.amounts.items():
                self.stdout.write(f"  {calc.GROUP_LABELS[key]}: {format_money(amount)}")
        for e in m.pipeline:
            self.stdout.write(f"Ends {e.contract.end}: {e.contract.reference} {e.contract.title}")
        if m.unmatched_payments:
            self.stdout.write(f"{m.unmatched_payments} payments ({format_money(m.unmatched_total)}) await matching")


def _dumps(data) -> str:
    return json.dumps(data, default=str, indent=2)
