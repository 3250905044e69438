"""The measure catalogue: global reference data read from measure_catalogue.csv.

Loading is idempotent (a code already present is updated in place) and happens on demand the
first time anyone needs the library, or explicitly with ``carestat measures_catalogue``.
"""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import transaction

from carestat.analytics.words import plural
from carestat.core.errors import InvalidInput
from carestat.measures.models import CatalogueMeasure, Polarity

FIELDS = ("title", "domain", "computed_from", "unit", "polarity", "numerator", "denominator", "period_basis",
          "notes", "national_value", "national_period", "national_source")


def default_path() -> Path:
    return Path(settings.CARESTAT_REFERENCE_DIR) / "measure_catalogue.csv"


@transaction.atomic
def load_catalogue(path: Path | str | None = None) -> tuple[int, int]:
    """Create or update catalogue entries from the CSV. Returns (created, updated)."""
    path = Path(path) if path else default_path()
    if not path.exists():
        raise InvalidInput(f"The measure catalogue {path} does not exist; set CARESTAT_REFERENCE_DIR "
                           "or pass --path", field="path")
    created = updated = 0
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = {"code", *FIELDS} - set(reader.fieldnames or ())
        if missing:
            need = plural(len(missing), "column")
            raise InvalidInput(f"{path.name} lacks the {need} {', '.join(sorted(missing))}", field="path")
        for row_number, row in enumerate(reader, start=2):
            code = (row["code"] or "").strip()
            if not code:
                continue
            data = {f: (row[f] or "").strip() for f in FIELDS}
            if data["polarity"] not in Polarity.values:
                raise InvalidInput(f"{path.name}, row {row_number}, column polarity: ‘{data['polarity']}’ is not "
                                   f"one of {', '.join(Polarity.values)}", field="polarity")
            try:
                data["national_value"] = Decimal(data["national_value"]) if data["national_value"] else None
            except InvalidOperation:
                raise InvalidInput(f"{path.name}, row {row_number}, column national_value: "
                                   f"‘{row['national_value']}’ is not a number", field="national_value") from None
            _, was_created = CatalogueMeasure.objects.update_or_create(code=code, defaults=data)
            created += was_created
            updated += not was_created
    return created, updated


def ensure_catalogue() -> None:
    """Load the catalogue if it has never been loaded (a fresh database)."""
    if not CatalogueMeasure.objects.exists() and default_path().exists():
        load_catalogue()
