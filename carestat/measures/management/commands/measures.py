import json

from django.core.management.base import CommandError

from carestat.analytics.periods import PeriodError, parse_period
from carestat.core.management.base import CareStatCommand, get_org
from carestat.measures.judging import judge
from carestat.measures.models import Measure, MeasureValue


def period_rows(org, period: str, codes: list[str]) -> list[dict]:
    """One object per measure for the period: its value, provenance and RAG (as of that period)."""
    measures = Measure.objects.filter(organisation=org).select_related("catalogue").order_by("code")
    if codes:
        found = {m.code: m for m in measures.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise CommandError(f"{org.name} does not track {', '.join(unknown)}")
        chosen = [found[c] for c in codes]
    else:
        with_values = MeasureValue.objects.filter(measure__organisation=org, period=period).values("measure_id")
        chosen = list(measures.filter(pk__in=with_values))
    rows = []
    for m in chosen:
        value = (MeasureValue.objects.filter(measure=m, period=period)
                 .select_related("entered_by", "approved_by").first())
        report = judge(m, chart=False, as_of=period) if value is not None else None
        judged = report is not None and report.latest is not None and report.latest.period == period
        rows.append({
            "code": m.code, "title": m.title, "period": period,
            "value": float(value.value) if value else None,
            "numerator": float(value.numerator) if value and value.numerator is not None else None,
            "denominator": float(value.denominator) if value and value.denominator is not None else None,
            "unit": m.unit,
            "rag": report.rag if judged else None,
            "target": float(report.target.value) if judged and report.target else None,
            "variation": report.variation.value if judged and report.variation else None,
            "assurance": report.assurance.value if judged and report.assurance else None,
            "status": value.status if value else None,
            "is_provisional": value.is_provisional if value else None,
            "source": value.source if value else None,
            "provenance": value.provenance if value else None,
            "method_version": value.method_version if value else None,
            "submissions": list(value.submissions) if value else [],
        })
    return rows


class Command(CareStatCommand):
    help = (
        "Show an organisation's measure values for a period, with RAG against target and where each "
        "value came from. Only approved values are judged; a value awaiting approval has no RAG."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="The organisation's short name, e.g. demoshire")
        parser.add_argument("--period", required=True, help="2025-26, 2025-26-Q2 or 2025-09")
        parser.add_argument("--code", action="append", default=[], help="A measure code (repeat for more)")
        parser.add_argument("--json", action="store_true", help="Print a JSON list instead of a table")

    def handle(self, *args, **opts):
        org = get_org(opts["org"])
        try:
            period = parse_period(opts["period"]).label
        except PeriodError as exc:
            raise CommandError(str(exc)) from None
        rows = period_rows(org, period, opts["code"])
        if opts["json"]:
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write(f"No measure values for {period}.")
            return
        for r in rows:
            value = "no value" if r["value"] is None else f"{r['value']:g} {r['unit']}"
            self.stdout.write(f"{r['code']:<22} {value:<24} {(r['rag'] or '-'):<6} {r['provenance'] or ''}")
