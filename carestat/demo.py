"""The demo: Demoshire County Council (fictional), loaded through the real service functions
and import paths, so the demo exercises what a council would do."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

PASSWORD = "demoshire-care-2026"
ORG_SLUG = "demoshire"

# (email, name, role, organisation)
SIGN_INS = [
    ("helen.morgan@demoshire.example", "Helen Morgan", "admin", "Demoshire"),
    ("priya.shah@demoshire.example", "Priya Shah", "manager", "Demoshire"),
    ("tom.okafor@demoshire.example", "Tom Okafor", "contributor", "Demoshire"),
    ("jane.ellis@demoshire.example", "Cllr Jane Ellis", "viewer", "Demoshire"),
    ("sam.reid@demoshire.example", "Sam Reid", "auditor", "Demoshire"),
    ("alex.hughes@westmarch.example", "Alex Hughes", "admin", "Westmarch"),
]

# Each domain app adds its part of the demo here, in order; each takes (org, progress).
LOADERS: list[str] = [
    "carestat.core.demo.load",
    "carestat.measures.demo.load",
    "carestat.casedata.demo.load",
    "carestat.plans.demo.load",
    "carestat.reports.demo.load",
]


def load(progress: Callable[[str], None] = lambda msg: None) -> bool:
    """Load the demo councils if absent. Returns False when they were already there."""
    from django.utils.module_loading import import_string

    from carestat.core.models import Organisation
    from carestat.core.tenancy import enforced, scoped_to

    if Organisation.objects.filter(slug=ORG_SLUG).exists():
        return False
    with transaction.atomic():
        # The first loader creates the councils (each in its own scope); every later one adds
        # Demoshire's content inside Demoshire's scope, as a page or command would.
        with enforced():
            org = import_string(LOADERS[0])(None, progress)
        for path in LOADERS[1:]:
            with scoped_to(org):
                org = import_string(path)(org, progress)
    return True
