"""The demo: Demoshire County Council (fictional), loaded through the real service functions
and import paths, so the demo exercises what a council would do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

PASSWORD = "demoshire-care-2026"
ORG_SLUG = "demoshire"

# The day the demo's story is told up to: 2026-27 Q2 is reported and published, Q3 is open with
# updates awaiting approval. Loading replays the story up to today, so on a later day the demo
# has gone quiet since; the tests that read the demo freeze the clock here (the ``story_day``
# fixture) so that they check the same story whatever day they run.
STORY_DAY = dt.date(2026, 12, 4)

# (email, name, role, organisation)
SIGN_INS = [
    ("helen.morgan@demoshire.example", "Helen Morgan", "admin", "Demoshire"),
    ("priya.shah@demoshire.example", "Priya Shah", "manager", "Demoshire"),
    ("tom.okafor@demoshire.example", "Tom Okafor", "contributor", "Demoshire"),
    ("jane.ellis@demoshire.example", "Cllr Jane Ellis", "viewer", "Demoshire"),
    ("sam.reid@demoshire.example", "Sam Reid", "auditor", "Demoshire"),
    ("alex.hughes@westmarch.example", "Alex Hughes", "admin", "Westmarch"),
    ("claire.le.brun@jersey.example", "Claire Le Brun", "admin", "Jersey"),
    ("rhys.pritchard@glanmor.example", "Rhys Pritchard", "admin", "Glanmor"),
]

# The demo's other organisations, each loaded with its own admin (the SIGN_INS row naming it):
# Westmarch, an English borough whose records Demoshire must never see; Jersey, an island whose
# directorate reports to its own States Assembly and Public Accounts Committee; and Glanmor, a
# Welsh county borough that reports against the Welsh performance framework. Domain loaders add
# their content with ``carestat.core.demo.other_organisation(slug)`` inside ``scoped_to``.
OTHER_ORGANISATIONS = [
    # (slug, name, jurisdiction, la_code, first unit)
    ("westmarch", "Westmarch Borough Council", "england", "998", "Westmarch Adult Care"),
    ("jersey", "Jersey Health and Care Directorate (demo)", "jersey", "", "Health and Community Services"),
    ("glanmor", "Glanmor County Borough Council", "wales", "", "Social Services and Well-being"),
]

# Each domain app adds its part of the demo here, in order; each takes (org, progress).
LOADERS: list[str] = [
    "carestat.core.demo.load",
    "carestat.measures.demo.load",
    "carestat.casedata.demo.load",
    # Risk scores and the ledger go in before the plans demo closes their quarters (which
    # freezes them); links to plan actions once the plans exist, before the reports are drafted.
    "carestat.risks.demo.load",
    "carestat.finance.demo.load_ledger",
    # Audit rounds record their measure values before their quarters close; their findings
    # become portfolio plan actions once the plans exist, before the reports are drafted.
    "carestat.quality.demo.load",
    "carestat.plans.demo.load",
    "carestat.risks.demo.link_to_plans",
    "carestat.quality.demo.link_to_plans",
    "carestat.finance.demo.load",
    "carestat.commissioning.demo.load",
    # Future need reads the case data and the cost model's unit costs, and goes in the report.
    "carestat.demand.demo.load",
    "carestat.reports.demo.load",
    "carestat.governance.demo.load",
    # Glanmor's and Jersey's parts last: each ends with a report built from what is loaded.
    "carestat.jurisdictions.demo.load",
]


def load(progress: Callable[[str], None] = lambda msg: None) -> bool:
    """Load the demo councils if absent. Returns False when they were already there."""
    from django.utils.module_loading import import_string

    from carestat.core.models import Organisation
    from carestat.core.notifications import quiet
    from carestat.core.tenancy import enforced, scoped_to

    if Organisation.objects.filter(slug=ORG_SLUG).exists():
        return False
    # The demo's history is loaded through the services, which notify as they go: kept as
    # read and emailed, so nobody is sent two years of updates at once.
    with transaction.atomic(), quiet():
        # The first loader creates the councils (each in its own scope); every later one adds
        # Demoshire's content inside Demoshire's scope, as a page or command would.
        with enforced():
            org = import_string(LOADERS[0])(None, progress)
        for path in LOADERS[1:]:
            with scoped_to(org):
                org = import_string(path)(org, progress)
    return True
