"""What commissioning adds to the committee report ("Commissioning and the provider market") and
to the home page.

Money paid to organisations is not about people, so nothing is suppressed for small numbers; the
public version leaves out the values of contracts the register marks commercially sensitive (in
the pipeline, and from the contract-value totals, which are recomputed without them)."""

from __future__ import annotations

from carestat.analytics import commissioning as calc
from carestat.analytics.finance import format_thousands as K
from carestat.commissioning import selectors
from carestat.commissioning.models import Contract, Payment
from carestat.core.contributions import SectionContext, Tile


def _pct(v) -> str:
    return "–" if v is None else f"{v}%"


def _split_rows(split: calc.Split, labels: dict) -> list[list]:
    rows = [[labels.get(k, k), float(v), float(split.share(k)) if split.share(k) is not None else ""]
            for k, v in split.amounts.items()]
    return rows + [["Total", float(split.total), 100.0 if split.total else ""]]


def commissioning_section(ctx: SectionContext) -> dict | None:
    """The VCSE answer for the financial year of the report's period with its sources, spend and
    contract value by sector, concentration, the pipeline and poor quality ratings."""
    org = ctx.organisation
    if not (Contract.objects.filter(organisation=org).exists() or Payment.objects.filter(organisation=org).exists()):
        return None
    m = selectors.market(org, ctx.as_of)
    year = calc.financial_year(ctx.period.start)
    y = m.year(year)
    if y is None:
        return None
    v = y.vcse
    labels = {**calc.GROUP_LABELS, **{k.value: lbl for k, lbl in calc.SECTOR_LABELS.items()}}
    files = "; ".join(f"{f} ({K(a)})" for f, a in v.files) or "none"
    paragraphs = [
        f"In {year} the council paid {K(v.spend)} to voluntary, community and social enterprise (VCSE) providers: "
        f"{_pct(v.spend_share)} of {K(v.spend_total)} paid to providers. Contracts with VCSE providers are worth "
        f"{K(v.contract_value)} in the year ({_pct(v.contract_share)} of contract value). Sources: payments files "
        f"{files}; {len(v.contracts)} VCSE contracts in the register.",
    ]
    c = y.concentration
    if c.providers:
        paragraphs.append(f"The five largest of {c.providers} providers took {_pct(c.top_share)} of spend; the "
                          f"Herfindahl-Hirschman index is {c.hhi} (above 2,500 is highly concentrated).")
    if m.unmatched_payments:
        paragraphs.append(f"{K(m.unmatched_total)} of payments is to suppliers not yet matched to a provider, so "
                          "is counted in no sector.")
    public_contracts = [ct.fact() for ct in m.contracts.values() if not ct.commercially_sensitive]
    facts = {p.pk: calc.ProviderFact(p.pk, p.name, calc.Sector(p.sector)) for p in m.providers.values()}
    public_year = calc.year_map(year, facts, public_contracts, [])
    sensitive = any(ct.commercially_sensitive for ct in m.contracts.values())
    tables = [
        {"caption": f"Spend with providers by sector, {year} (£)", "headers": ["Sector", "Spend", "Share %"],
         "rows": _split_rows(y.spend_by_sector, labels)},
        {"caption": f"Contract value by sector, {year} (£)" + (
            "; the public version leaves out commercially sensitive contracts" if sensitive else ""),
         "headers": ["Sector", "Contract value", "Share %"], "rows": _split_rows(y.value_by_sector, labels),
         "public_rows": _split_rows(public_year.value_by_sector, labels) if sensitive else None},
    ]
    if m.pipeline:
        rows, public_rows = [], []
        for e in m.pipeline:
            ct = e.contract
            base = [ct.reference, ct.title, m.name(ct.provider_id), ct.end.isoformat(), ct.extension or "None"]
            rows.append([*base, float(ct.annual_value)])
            public_rows.append([*base, "withheld (commercially sensitive)" if ct.sensitive else float(ct.annual_value)])
        tables.append({"caption": f"Contracts ending in the 18 months from {ctx.as_of:%-d %B %Y} (£ a year)",
                       "headers": ["Reference", "Contract", "Provider", "Ends", "Extension options", "Annual value"],
                       "rows": rows, "public_rows": public_rows if sensitive else None})
    if m.poor:
        tables.append({"caption": "Provider locations whose latest quality rating is requires improvement or "
                                  "inadequate", "headers": ["Provider", "Location", "Rating", "Date"],
                       "rows": [[p.provider.name, p.location, p.label, p.date.isoformat()] for p in m.poor]})
    charts = []
    for chart in selectors.charts(m)[:1]:
        charts.append({"svg": chart.svg, "caption": chart.table.caption, "summary": chart.table.summary})
    return {"paragraphs": paragraphs, "tables": tables, "charts": charts}


def home_tiles(access, period) -> list[Tile]:
    org = access.organisation
    if not Payment.objects.filter(organisation=org).exists() and not Contract.objects.filter(organisation=org).exists():
        return []
    m = selectors.market(org)
    y = m.latest
    slug = org.slug
    tiles = []
    if y is not None:
        v = y.vcse
        if v.spend_total:
            tiles.append(Tile(f"Spend with VCSE providers {y.year}", K(v.spend),
                              f"{_pct(v.spend_share)} of {K(v.spend_total)} paid to providers",
                              f"/o/{slug}/commissioning/?year={y.year}", order=45))
        elif v.contract_total:
            tiles.append(Tile(f"Contract value with VCSE providers {y.year}", K(v.contract_value),
                              f"{_pct(v.contract_share)} of {K(v.contract_total)}",
                              f"/o/{slug}/commissioning/?year={y.year}", order=45))
    soon = [e for e in m.pipeline if e.within_12]
    if m.pipeline:
        tiles.append(Tile("Contracts ending within 12 months", str(len(soon)),
                          f"{len(m.pipeline)} within 18 months", f"/o/{slug}/commissioning/#pipeline",
                          rag="amber" if soon else "", order=46))
    return tiles
