"""The one read layer of commissioning: what the pages, API, command line and report show.

The database sums the payments (by year, provider, service type and file), so half a million
rows are never pulled into Python; carestat.analytics.commissioning does the rest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from carestat.analytics import commissioning as calc
from carestat.commissioning.models import CommissioningImport, Contract, ImportKind, Payment, Provider, QualityRating


@dataclass(frozen=True)
class PoorRating:
    provider: Provider
    location: str
    rating: str
    label: str
    date: dt.date


@dataclass(frozen=True)
class Market:
    today: dt.date
    providers: dict[int, Provider]
    years: list[calc.YearMap]
    pipeline: list[calc.PipelineEntry]
    poor: list[PoorRating]
    unmatched_total: Decimal
    unmatched_payments: int
    contracts: dict[int, Contract]

    def year(self, label: str) -> calc.YearMap | None:
        return next((y for y in self.years if y.year == label), None)

    @property
    def latest(self) -> calc.YearMap | None:
        """The latest financial year with spend or contracts up to today."""
        this = calc.financial_year(self.today)
        past = [y for y in self.years if y.year <= this and (y.spend_by_group.total or y.value_by_group.total)]
        return past[-1] if past else (self.years[-1] if self.years else None)

    def name(self, provider_id: int) -> str:
        p = self.providers.get(provider_id)
        return p.name if p else "?"


def spend_facts(org) -> list[calc.SpendFact]:
    names = dict(CommissioningImport.objects.filter(organisation=org, kind=ImportKind.PAYMENTS)
                 .values_list("pk", "filename"))
    rows = (Payment.objects.filter(organisation=org, provider__isnull=False)
            .values("year", "provider_id", "service_type", "source_id").annotate(total=Sum("amount"))
            .order_by("year", "provider_id", "service_type", "source_id"))
    return [calc.SpendFact(r["year"], r["provider_id"], r["service_type"], calc.money(r["total"]),
                           names.get(r["source_id"], "")) for r in rows]


def market(org, today: dt.date | None = None) -> Market:
    from django.utils import timezone

    today = today or timezone.localdate()
    providers = {p.pk: p for p in Provider.objects.filter(organisation=org, merged_into__isnull=True)}
    facts = {p.pk: calc.ProviderFact(p.pk, p.name, calc.Sector(p.sector)) for p in providers.values()}
    contracts = {c.pk: c for c in Contract.objects.filter(organisation=org).select_related("provider", "lead_unit")}
    cfacts = [c.fact() for c in contracts.values()]
    spend = spend_facts(org)
    covered = calc.years_covered(cfacts, spend, calc.financial_year(today))
    years = [calc.year_map(y, facts, cfacts, spend) for y in covered]
    um = Payment.objects.filter(organisation=org, provider__isnull=True).aggregate(t=Sum("amount"), n=Count("id"))
    return Market(today, providers, years, calc.pipeline(cfacts, today), poor_ratings(org),
                  calc.money(um["t"] or 0), um["n"] or 0, contracts)


def poor_ratings(org) -> list[PoorRating]:
    """Each location's latest rating, where it is requires improvement or inadequate."""
    latest: dict[tuple[int, str], QualityRating] = {}
    for r in QualityRating.objects.filter(organisation=org).select_related("provider").order_by("date", "pk"):
        latest[(r.provider.merged_into_id or r.provider_id, r.location)] = r
    return sorted((PoorRating(r.provider, r.location, r.rating, r.get_rating_display(), r.date)
                   for r in latest.values() if r.is_poor), key=lambda p: (p.rating != "inadequate", p.provider.name))


def providers(org):
    return (Provider.objects.filter(organisation=org, merged_into__isnull=True)
            .annotate(n_contracts=Count("contracts", distinct=True)).order_by("name"))


def contracts(org):
    return (Contract.objects.filter(organisation=org).select_related("provider", "lead_unit")
            .order_by("end", "reference"))


def imports(org, limit: int = 20):
    return CommissioningImport.objects.filter(organisation=org).select_related("created_by")[:limit]


def payments(org, *, unmatched_only: bool = False, limit: int = 200):
    qs = Payment.objects.filter(organisation=org).select_related("provider", "source").order_by("-date", "pk")
    if unmatched_only:
        qs = qs.filter(provider__isnull=True)
    return qs[:limit]


def provider_spend(org, provider: Provider) -> list[tuple[str, Decimal]]:
    rows = (Payment.objects.filter(organisation=org, provider=provider).values("year").annotate(t=Sum("amount"))
            .order_by("year"))
    return [(r["year"], calc.money(r["t"])) for r in rows]


def market_json(m: Market, *, public: bool = False) -> dict:
    """The market map as plain JSON (amounts as decimal strings). ``public`` leaves out the
    values of contracts marked commercially sensitive."""
    def s(v):
        return None if v is None else str(v)

    def split(x: calc.Split):
        return {"total": s(x.total), "amounts": {k: s(v) for k, v in x.amounts.items()},
                "shares": {k: s(x.share(k)) for k in x.amounts}}

    def conc(c: calc.Concentration):
        return {"providers": c.providers, "top_five_share_percent": s(c.top_share), "hhi": s(c.hhi),
                "top_five": [{"provider": m.name(pid), "amount": s(v)} for pid, v in c.top]}

    def contract(c: calc.ContractFact):
        hidden = public and c.sensitive
        return {"reference": c.reference, "title": c.title, "provider": m.name(c.provider_id),
                "service_type": c.service_type, "start": c.start.isoformat(), "end": c.end.isoformat(),
                "annual_value": None if hidden else s(c.annual_value),
                "total_value": None if hidden else s(c.total_value), "commercially_sensitive": c.sensitive,
                "extension": c.extension}

    return {
        "as_at": m.today.isoformat(),
        "years": [{
            "year": y.year,
            "spend_by_sector": split(y.spend_by_group), "spend_by_detailed_sector": split(y.spend_by_sector),
            "spend_by_service_type": split(y.spend_by_service),
            "contract_value_by_sector": split(y.value_by_group),
            "contract_value_by_service_type": split(y.value_by_service),
            "vcse": {"spend": s(y.vcse.spend), "spend_total": s(y.vcse.spend_total),
                     "spend_share_percent": s(y.vcse.spend_share), "contract_value": s(y.vcse.contract_value),
                     "contract_total": s(y.vcse.contract_total),
                     "contract_share_percent": s(y.vcse.contract_share),
                     "sources": {"payments_files": [{"file": f, "vcse_spend": s(v)} for f, v in y.vcse.files],
                                 "contracts": [c.reference for c in y.vcse.contracts]}},
            "spend_concentration": conc(y.concentration),
            "contract_concentration": conc(y.value_concentration),
        } for y in m.years],
        "pipeline": [{**contract(e.contract), "months_left": e.months_left, "within_12_months": e.within_12}
                     for e in m.pipeline],
        "poor_ratings": [{"provider": p.provider.name, "location": p.location, "rating": p.rating,
                          "date": p.date.isoformat()} for p in m.poor],
        "unmatched": {"payments": m.unmatched_payments, "total": s(m.unmatched_total)},
    }


def charts(m: Market) -> list:
    """Spend and contract value by sector, one group of bars a year."""
    from carestat.charts.money import Series, money_by_year_chart

    out = []
    years = [y.year for y in m.years]
    if not years:
        return out
    for title, attr in (("Spend with providers by sector and financial year", "spend_by_group"),
                        ("Contract value by sector and financial year", "value_by_group")):
        if not any(getattr(y, attr).total for y in m.years):
            continue
        series = [Series(label, [getattr(y, attr).amounts.get(key, calc.ZERO) for y in m.years])
                  for key, label in calc.GROUP_LABELS.items()]
        out.append(money_by_year_chart(years, series, title))
    return out
