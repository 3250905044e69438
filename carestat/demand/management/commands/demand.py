import json

from django.core.management.base import CommandError

from carestat.core.errors import ServiceError
from carestat.core.management.base import AS_USER_HELP, CareStatCommand, command_access, get_org
from carestat.core.permissions import Perm
from carestat.demand import services
from carestat.demand.models import Scenario


class Command(CareStatCommand):
    help = ("Project future need and save the projection (managers and admins): `project --kind children` "
            "projects children in care by placement from the SSDA903 history, with a saved scenario if named; "
            "`project --kind adults` projects people with each need from the population projection and "
            "prevalence rates, with long-term support users and cost; `backtest` runs the children's model on "
            "the returns known years ago and prints its error against what the later returns show.")

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["project", "backtest"])
        parser.add_argument("--org", required=True, help="the organisation's short name")
        parser.add_argument("--as", dest="as_user", help=AS_USER_HELP)
        parser.add_argument("--kind", choices=["children", "adults"], default="children")
        parser.add_argument("--years", type=int, default=None, help="years to project (1 to 5; backtest default 1)")
        parser.add_argument("--reference-years", type=int, default=None, help="reference window in years")
        parser.add_argument("--resamples", type=int, default=services.DEFAULT_RESAMPLES)
        parser.add_argument("--scenario", help="a saved scenario's name (children)")
        parser.add_argument("--json", action="store_true", help="write JSON instead of text")

    def handle(self, *args, verb, org, as_user, kind, years, reference_years, resamples, scenario, json: bool,
               **opts):
        access = command_access(get_org(org), as_user)
        access.require(Perm.MANAGE)
        try:
            if verb == "backtest":
                p = services.backtest(access, years=years or 1, reference_years=reference_years or 1)
            elif kind == "adults":
                p = services.project_adults(access)
            else:
                chosen = None
                if scenario:
                    chosen = Scenario.objects.filter(organisation=access.organisation, name__iexact=scenario).first()
                    if chosen is None:
                        raise CommandError(f"No scenario called ‘{scenario}’")
                p = services.project_children(access, years=years or 3, reference_years=reference_years or 2,
                                              resamples=resamples, scenario=chosen)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        if json:
            self.stdout.write(_dumps({"id": p.pk, "kind": p.kind, "title": p.title, "assumptions": p.assumptions,
                                      "result": p.result}))
            return
        self.stdout.write(p.title)
        r = p.result
        if p.kind == "backtest":
            for k, v in r["mape"].items():
                self.stdout.write(f"  {k}: {'no children' if v is None else f'{v}% mean absolute error'}")
        elif p.kind == "children":
            self.stdout.write(f"  now: {r['start_total']:,.0f} children in care")
            for i, e in enumerate(r["year_ends"]):
                band = f" ({r['lower']['total'][i]:,.0f} to {r['upper']['total'][i]:,.0f})" if r.get("lower") else ""
                cost = f", cost {r['cost'][i]} in {r['cost_years'][i]}" if r.get("cost") else ""
                self.stdout.write(f"  {e}: {r['total'][i]:,.0f}{band}{cost}")
        else:
            for n in r["needs"]:
                self.stdout.write(f"  {n['name']}: {n['people'][0]:,.0f} in {r['years'][0]}, "
                                  f"{n['people'][-1]:,.0f} in {r['years'][-1]}")


def _dumps(data) -> str:
    return json.dumps(data, default=str, indent=2)
