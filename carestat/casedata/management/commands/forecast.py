import datetime as dt
import json

from django.core.management.base import CommandError

from carestat.analytics.words import figure
from carestat.analytics.work_types import work_type_label
from carestat.casedata import forecasting
from carestat.core.management.base import CareStatCommand, command_access, get_org


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"‘{value}’ is not a date; use YYYY-MM-DD, like 2026-10-01") from None


class Command(CareStatCommand):
    help = (
        "Forecast when a work type's backlog clears, under current capacity and optionally with extra "
        "completions a week (e.g. --extra-per-week 40 --from 2026-10-01 --weeks 26), with an uncertainty "
        "band from resampling past weeks. --save keeps it to compare with what happens."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True)
        parser.add_argument("--work-type", required=True)
        parser.add_argument("--extra-per-week", type=float, default=0)
        parser.add_argument("--from", dest="extra_from", type=_date, help="When the extra capacity starts")
        parser.add_argument("--weeks", type=int, help="How many weeks the extra capacity lasts")
        parser.add_argument("--as-of", type=_date, help="Forecast from this date (default today); the forecast "
                            "starts earlier when the case events end before it, and says so")
        parser.add_argument("--json", action="store_true", help="Print the whole forecast as JSON")
        parser.add_argument("--save", action="store_true", help="Save the forecast (recorded as the command line's)")

    def handle(self, *args, **opts):
        org = get_org(opts["org"])
        access = command_access(org, None)
        options = {"as_of": opts["as_of"], "extra_per_week": opts["extra_per_week"],
                   "extra_from": opts["extra_from"], "extra_weeks": opts["weeks"]}
        if opts["save"]:
            saved = forecasting.save_forecast(access, opts["work_type"], **options)
            result = saved.result
        else:
            result = forecasting.run_forecast(access, opts["work_type"], **options)
        if opts["json"]:
            self.stdout.write(json.dumps(result, indent=2))
            return
        self.stdout.write(f"From case events up to {result['data_ends']}, the last date the loaded data covers.")
        for warning in result["warnings"]:
            self.stderr.write(f"Warning: {warning}")
        self.stdout.write(f"{work_type_label(opts['work_type'])}: backlog {figure(result['starting_backlog'])} "
                          f"at {result['first_projected_week']}; "
                          f"{result['mean_weekly_arrivals']:.1f} arrivals and {result['mean_weekly_completions']:.1f} "
                          "completions a week")
        for s in result["scenarios"]:
            self.stdout.write(f"  {s['name']}: {s['summary']}")
