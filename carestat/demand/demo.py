"""Demoshire's and Jersey's future need, loaded through the same services and files a council
would use: population projections in the national statistics office's layout (kept in
demo_data/), published-style prevalence rates with their sources, Demoshire's children's model
on its loaded SSDA903 returns, a saved step-down scenario named in the report, and a backtest.

The population files are made up for the demo (Demoshire's matches the adult population its
case data was generated for; Jersey's is island-sized, about 103,000 people, and is not
Statistics Jersey's projection). The prevalence rates are illustrative values in the style of
the POPPI and PANSI rates whose sources they name, and say so."""

from __future__ import annotations

from pathlib import Path

from carestat import demo
from carestat.core.access import get_access
from carestat.core.models import User
from carestat.core.tenancy import scoped_to
from carestat.demand import services

DATA = Path(__file__).parent / "demo_data"
RATES = "prevalence_rates.csv"
# (code, name, CLD primary support reason, unit cost a year in 2026-27, inflation %, cost source)
NEEDS = [
    ("self_care", "Unable to manage a self-care activity (65+)", "Physical Support", "24000", "3",
     "Demo figure: the average gross cost a year of long-term support at home (illustrative)"),
    ("dementia", "Dementia (65+)", "Support with Memory", "36000", "3",
     "Demo figure: a blend of residential and community support for memory and cognition (illustrative)"),
    ("learning_disability", "Learning disability (18+)", "Learning Disability", "48000", "3",
     "Demo figure: the average gross cost a year of long-term support for working-age adults (illustrative)"),
]
SCENARIO = ("Step down from residential", "The placement sufficiency strategy: a fifth of children in residential "
            "care move to in-house foster carers each year.",
            [{"kind": "step_down", "from": "residential", "to": "fostering_in_house", "percent": 20}])


def _load(access, population: str, name: str, *, support_reasons: bool, progress) -> None:
    progress(f"Loading {name}")
    services.load_population(access, (DATA / population).read_bytes(), filename=population, name=name)
    services.load_rates(access, (DATA / RATES).read_bytes(), filename=RATES)
    for code, need, reason, cost, inflation, source in NEEDS:
        services.set_need(access, code=code, name=need, support_reason=reason if support_reasons else "",
                          unit_cost=cost if support_reasons else None, base_year="2026-27",
                          inflation_percent=inflation, cost_source=source if support_reasons else "")
    progress(f"Projecting adults' needs for {access.organisation.name}")
    services.project_adults(access)


def load(org, progress):
    analyst = User.objects.get(username=demo.SIGN_INS[0][0])
    access = get_access(analyst, org.slug)
    _load(access, "demoshire_population_2025-2045.csv",
          "Demoshire population projection 2025 to 2045 (demo, in the ONS sub-national projection layout)",
          support_reasons=True, progress=progress)
    progress("Projecting Demoshire's children in care from its SSDA903 returns")
    services.project_children(access, years=3, reference_years=2, resamples=services.DEFAULT_RESAMPLES)
    name, description, changes = SCENARIO
    scenario = services.save_scenario(access, name=name, description=description, changes=changes, in_report=True)
    services.project_children(access, years=3, reference_years=2, resamples=services.DEFAULT_RESAMPLES,
                              scenario=scenario)
    progress("Backtesting the children's model a year back")
    services.backtest(access, years=1, reference_years=1)

    from carestat.core.demo import other_organisation

    jersey, jersey_admin = other_organisation("jersey")
    with scoped_to(jersey):
        _load(jersey_admin, "jersey_population_2025-2045.csv",
              "Jersey population projection 2025 to 2045 (demo, island-sized, in the same layout)",
              support_reasons=False, progress=progress)
    return org
