import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone

from carestat.analytics import finance as calc
from carestat.analytics.words import count_of
from carestat.core.management.base import AS_USER_HELP, CareStatCommand, command_access, get_org
from carestat.core.permissions import Perm
from carestat.finance import costmodel, ledger, services
from carestat.finance.summary import current_year, savings_by_year, year_position


class Command(CareStatCommand):
    help = ("Import a ledger extract (CSV or Excel; all rows or none, the same file twice changes nothing; "
            "managers and admins), show a year's budget, forecast outturn, variance and RAG by line (with the "
            "hours of home care, adults and modelled cost of any line the cost model costs in hours), or compare "
            "the cost model's saved scenarios year by year.")

    def add_arguments(self, parser):
        parser.add_argument("verb", choices=["import", "summary", "scenario"])
        parser.add_argument("target", nargs="?", help="the ledger extract's path (import); a scenario's name "
                            "(scenario; default: every saved scenario)")
        parser.add_argument("--org", required=True, help="the organisation's short name")
        parser.add_argument("--as", dest="as_user", help=AS_USER_HELP)
        parser.add_argument("--year", help="financial year for summary, such as 2026-27 (default: this year)")
        parser.add_argument("--json", action="store_true", help="write JSON instead of text")
        parser.add_argument("--for-report", action="store_true",
                            help="scenario: make the named scenario the one the committee report names "
                                 "(managers; the name 'none' names none)")

    def handle(self, *args, verb, target, org, as_user, year, json: bool, for_report: bool = False, **opts):
        access = command_access(get_org(org), as_user)
        access.require(Perm.VIEW)
        if verb == "import":
            if not target:
                raise CommandError("finance import needs the ledger extract's path")
            path = Path(target)
            if not path.exists():
                raise CommandError(f"No such file: {path}")
            try:
                result = ledger.import_ledger(access, path.read_bytes(), filename=path.name)
            except ledger.LedgerInvalid as exc:
                if json:
                    self.stdout.write(_dumps({"imported": False, "problems": [
                        {"file": p.file, "row": p.row, "column": p.column, "message": p.message}
                        for p in exc.problems]}))
                raise CommandError("Nothing imported:\n" + "\n".join(str(p) for p in exc.problems)) from None
            self.stdout.write(_dumps({"imported": True, **result.as_json()}) if json else result.summary)
            return
        year = services.financial_year(year or current_year(timezone.localdate()))
        if verb == "scenario" and for_report:
            self._for_report(access, target, json)
            return
        if verb == "scenario":
            self._scenario(access, year, target, json)
            return
        pos = year_position(access.organisation, year)
        home_care = costmodel.home_care(access.organisation, year=year)
        if json:
            savings = [s for s in savings_by_year(access.organisation) if s.year == year]
            self.stdout.write(_dumps({
                "year": year, "budget": pos.budget, "forecast": pos.forecast, "actual_to_date": pos.actual,
                "variance": pos.variance.amount, "variance_percent": pos.variance.percent,
                "rag": pos.variance.rag.value, "lines_without_forecast": pos.without_forecast,
                "lines": [{"cost_code": p.line.cost_code, "name": p.line.name, "depth": p.depth, "budget": p.budget,
                           "forecast": p.forecast, "variance": p.variance.amount,
                           "variance_percent": p.variance.percent, "rag": p.variance.rag.value}
                          for p in pos.flat()],
                "savings": {"target": savings[0].target, "delivered": savings[0].delivered} if savings else None,
                "home_care": _home_care_json(home_care, year),
            }))
            return
        m = calc.format_money
        self.stdout.write(f"{year}: budget {m(pos.budget)}, forecast outturn {m(pos.forecast)}, "
                          f"{pos.variance.words}, RAG {pos.variance.rag.value}")
        for p in pos.flat():
            self.stdout.write(f"{'  ' * (p.depth + 1)}{p.line.cost_code} {p.line.name}: budget {m(p.budget)}, "
                              f"forecast {m(p.forecast)}, {p.variance.words}, {p.variance.rag.value}")
        if home_care is not None:
            act, rows = home_care
            self.stdout.write(f"Hours of home care in the cost model: {act.problem or act.homecare_words}")
            for r in rows:
                cost = r.cost_in(year)
                budget = r.budgets.get(year)
                self.stdout.write(
                    f"  {r.driver.line.cost_code} {r.driver.line.name}: {r.volume:,.2f} hours a week for "
                    f"{count_of(act.homecare_people, 'adult')}"
                    + (f" at {m(cost.unit_cost)} an hour, modelled cost {year} {m(cost.cost)}" if cost else "")
                    + (f" against a budget of {m(budget)}" if budget is not None else ""))


    def _for_report(self, access, name, as_json):
        from carestat.finance.models import Scenario, settings_for

        if not name:
            raise CommandError("finance scenario --for-report needs the scenario's name (or 'none')")
        scenario = None
        if name.lower() != "none":
            scenario = Scenario.objects.filter(organisation=access.organisation, name__iexact=name,
                                               is_archived=False).first()
            if scenario is None:
                raise CommandError(f"No scenario called ‘{name}’ in {access.organisation.name}")
        current = settings_for(access.organisation)
        services.save_settings(access, report_scenario=scenario,
                               **{k: str(getattr(current, k)) for k in services.SETTINGS_FIELDS})
        if as_json:
            self.stdout.write(_dumps({"report_scenario": scenario.name if scenario else None}))
        else:
            self.stdout.write(f"The committee report names scenario ‘{scenario.name}’." if scenario
                              else "The committee report names no scenario.")

    def _scenario(self, access, year, name, as_json):
        from carestat.finance.models import Scenario

        scenarios = None
        if name:
            scenarios = list(Scenario.objects.filter(organisation=access.organisation, name__iexact=name))
            if not scenarios:
                raise CommandError(f"No scenario called ‘{name}’ in {access.organisation.name}")
        model = costmodel.build(access.organisation, year=year, scenarios=scenarios)
        if as_json:
            self.stdout.write(_dumps(costmodel.as_json(model)))
            return
        m = calc.format_money
        if model.activity.problem:
            self.stdout.write(model.activity.problem)
        for r in model.rows:
            volume = f"{r.volume:,.2f} hours of home care a week at {m(r.driver.unit_cost)} an hour" \
                if r.driver.is_hourly else f"{r.volume:,} at {m(r.driver.unit_cost)} a year each"
            self.stdout.write(f"{r.driver.line.cost_code} {r.driver.line.name}: {volume} in {r.driver.base_year}, "
                              + ", ".join(f"{c.year} {m(c.cost)}" for c in r.baseline))
        self.stdout.write("Budget: " + ", ".join(f"{y} {m(v)}" for y, v in zip(model.years, model.budget_totals,
                                                                              strict=True)))
        for res in model.results:
            label = res.scenario.name if res.scenario else "Model forecast (no changes)"
            self.stdout.write(f"{label}: " + ", ".join(
                f"{y} {m(t)}" + (f" ({'+' if e > 0 else ''}{m(e)})" if res.scenario else "")
                for y, t, e in zip(model.years, res.totals, res.effect, strict=True)))


def _home_care_json(home_care, year: str) -> dict | None:
    if home_care is None:
        return None
    act, rows = home_care
    lines = []
    for r in rows:
        cost = r.cost_in(year)
        lines.append({"cost_code": r.driver.line.cost_code, "name": r.driver.line.name,
                      "hours_a_week": f"{r.volume:.2f}", "unit_cost_an_hour": cost.unit_cost if cost else None,
                      "modelled_cost": cost.cost if cost else None, "budget": r.budgets.get(year)})
    return {"as_at": act.adults_as_at.isoformat() if act.adults_as_at else None, "measure_period": act.adults_year,
            "hours_a_week": f"{act.homecare_hours:.2f}" if act.homecare_hours is not None else None,
            "adults": act.homecare_people, "problem": act.problem or None, "lines": lines}


def _dumps(data) -> str:
    return json.dumps(data, default=str, indent=2)
