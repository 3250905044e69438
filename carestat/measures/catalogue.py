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

from carestat.analytics.calendar import Jurisdiction
from carestat.analytics.words import plural
from carestat.core.errors import InvalidInput
from carestat.measures.models import CatalogueMeasure, Polarity

FIELDS = ("title", "domain", "computed_from", "unit", "polarity", "numerator", "denominator", "period_basis",
          "notes", "national_value", "national_period", "national_source")
# Columns added for Wales and the Crown dependencies: a catalogue without them (an older copy)
# still loads, its measures applying to England as before.
OPTIONAL = {"jurisdictions": "england", "framework": "", "framework_group": "", "source_url": ""}


JURISDICTIONS = tuple(j.value for j in Jurisdiction)


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
            data.update({f: (row.get(f) or "").strip() or default for f, default in OPTIONAL.items()})
            unknown = [j for j in data["jurisdictions"].split(",") if j.strip() not in {*JURISDICTIONS, "*"}]
            if unknown:
                raise InvalidInput(f"{path.name}, row {row_number}, column jurisdictions: ‘{unknown[0].strip()}’ is "
                                   f"not one of {', '.join(JURISDICTIONS)} or *", field="jurisdictions")
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


def _codes_in(path: Path) -> set[str]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return {(row.get("code") or "").strip() for row in csv.DictReader(fh)} - {""}


def ensure_catalogue() -> None:
    """Load the catalogue if it has never been loaded (a fresh database), or if the shipped file
    has codes the database lacks (a CareStat upgrade added measures, such as Wales's)."""
    path = default_path()
    if not path.exists():
        return
    stamp = (str(path), path.stat().st_mtime_ns)
    if _checked.get("stamp") == stamp and CatalogueMeasure.objects.exists():
        return
    known = set(CatalogueMeasure.objects.values_list("code", flat=True))
    if not known or _codes_in(path) - known:
        load_catalogue()
    _checked["stamp"] = stamp


_checked: dict = {}  # the catalogue file last found loaded, so each request need not read it


def codes_for(jurisdiction: str) -> set[str]:
    """The catalogue codes that apply in ``jurisdiction`` (the measures computed for it)."""
    from carestat.measures.models import applies_to

    ensure_catalogue()
    return {code for code, where in CatalogueMeasure.objects.values_list("code", "jurisdictions")
            if applies_to(where, jurisdiction)}
