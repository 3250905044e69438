"""Demoshire's case data: generated in the real statutory formats, then loaded through the
same ingest path an analyst uses, so the demo's computed measures have real provenance."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from carestat import demo
from carestat.analytics.demo import write_children_demo
from carestat.casedata import services
from carestat.core.access import get_access
from carestat.core.models import User

CHILDREN_YEARS = (2023, 2024, 2025, 2026)  # collection years ending 31 March


def load(org, progress):
    folder = Path(settings.DATA_DIR) / "demo-data" / "children"
    progress("Generating Demoshire's children's returns (CIN census, SSDA903, population)")
    files = write_children_demo(folder, seed=2024, years=CHILDREN_YEARS)
    analyst = User.objects.get(username=demo.SIGN_INS[0][0])
    access = get_access(analyst, org.slug)
    for path in files["population"] + files["cin"]:
        progress(f"Loading {path.name}")
        services.ingest(access, [path], compute=False)
    by_year: dict[str, list[Path]] = {}
    for path in files["ssda903"]:
        year = next((y for y in map(str, CHILDREN_YEARS) if y in path.name), None)
        by_year.setdefault(year, []).append(path)
    for year, paths in sorted(by_year.items()):
        progress(f"Loading the SSDA903 return for {int(year) - 1}-{year[2:]}")
        services.ingest(access, paths, year=int(year), compute=False)
    progress("Computing the children's measures from the loaded returns")
    services.compute_measures_for(org, analyst)
    return org
