"""Demoshire's case data: generated in the real statutory formats, then loaded through the
same ingest path an analyst uses, so the demo's computed measures have real provenance."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings

from carestat import demo
from carestat.analytics.demo import write_children_demo
from carestat.analytics.demo.adults import write_adults_demo
from carestat.casedata import forecasting, services
from carestat.casedata.models import CaseDataSettings
from carestat.core.access import get_access
from carestat.core.models import User

CHILDREN_YEARS = (2023, 2024, 2025, 2026)  # collection years ending 31 March
ADULTS_START = dt.date(2023, 10, 1)  # three years of adult and operational data to 30 September 2026
# The managed service starts 18 months in; a forecast made then, with its extra capacity, is
# saved so the demo can show the forecast against what happened.
FORECAST_AS_OF = ADULTS_START + dt.timedelta(days=int(365 * 1.5))


def load(org, progress):
    folder = Path(settings.DATA_DIR) / "demo-data"
    analyst = User.objects.get(username=demo.SIGN_INS[0][0])
    access = get_access(analyst, org.slug)

    progress("Generating Demoshire's children's returns (CIN census, SSDA903, population)")
    files = write_children_demo(folder / "children", seed=2024, years=CHILDREN_YEARS)
    for path in files["population"] + files["cin"]:
        progress(f"Loading {path.name}")
        services.ingest(access, [path], compute=False)
    by_year: dict[str, list[Path]] = {}
    for path in files["ssda903"]:
        year = next(y for y in map(str, CHILDREN_YEARS) if y in path.name)
        by_year.setdefault(year, []).append(path)
    for year, paths in sorted(by_year.items()):
        progress(f"Loading the SSDA903 return for {int(year) - 1}-{year[2:]}")
        services.ingest(access, paths, year=int(year), compute=False)

    progress("Generating Demoshire's adult client level data, population, case events and workforce censuses")
    adults = write_adults_demo(folder / "adults", seed=2024, start=ADULTS_START, years=3)
    CaseDataSettings.objects.update_or_create(organisation=org, defaults={"ops_targets": adults["ops_targets"]})
    progress("Loading case events (OT and Care Act assessments, DoLS, safeguarding concerns, reviews)")
    services.ingest(access, [adults["case_events"]], format="case_events", compute=False)
    for item in adults["cld"]:
        progress(f"Loading client level data {Path(item['path']).name}")
        services.ingest(access, [item["path"]], format="cld", compute=False)
    # Labelled by its years ("population 2023-2026"), so it stands beside the children's
    # population file ("population 2026") instead of superseding it.
    progress(f"Loading adult population estimates {adults['population'].name}")
    services.ingest(access, [adults["population"]], format="population", compute=False)
    for path in adults["workforce"]:
        progress(f"Loading workforce census {Path(path).name}")
        services.ingest(access, [path], format="csww", compute=False, accept_with_errors=True)

    progress("Computing measures from the loaded data")
    services.compute_measures_for(org, analyst)
    progress("Saving the OT backlog forecast made when the managed service began")
    forecasting.save_forecast(
        access, "ot_assessment", as_of=FORECAST_AS_OF, extra_per_week=40, extra_from=FORECAST_AS_OF, extra_weeks=26,
        title=f"OT assessment backlog with the managed service (+40 a week for 26 weeks), {FORECAST_AS_OF:%B %Y}",
    )
    return org
