"""Reader for population estimates (age band, sex, population, year) used for rates per 10,000.

Columns (case-insensitive, any order): ``year`` (the mid-year of the estimate, e.g. 2024),
``age_band`` (CareStat's bands: 0, 1-4, 5-9, 10-15, 16-17, or any label the caller uses
consistently), ``sex`` (male, female; anything else is kept as written) and ``population``
(a whole number). Extra columns are ignored.
"""

from __future__ import annotations

import csv
from pathlib import Path

from carestat.analytics.problems import Problem, Severity, UnreadableFile
from carestat.analytics.words import plural

REQUIRED = ("year", "age_band", "sex", "population")


def read_population(path: str | Path, *, display_name: str | None = None):
    """Rows as dicts (year:int, age_band, sex, population:int) and a list of Problems."""
    path = Path(path)
    name = display_name or path.name
    rows, problems = [], []
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            try:
                columns = [c.strip().lower() for c in next(reader)]
            except StopIteration:
                raise UnreadableFile(name, "the file is empty") from None
            missing = [c for c in REQUIRED if c not in columns]
            if missing:
                raise UnreadableFile(name, f"a population file needs the {plural(len(missing), 'column')} "
                                     f"{', '.join(missing)}", "row 1")
            index = {c: columns.index(c) for c in REQUIRED}
            for rownum, raw in enumerate(reader, start=2):
                if not any(v.strip() for v in raw):
                    continue
                values = {c: (raw[i].strip() if i < len(raw) else "") for c, i in index.items()}
                ok = True
                for col in ("year", "population"):
                    if not values[col].isdigit():
                        problems.append(Problem(name, f"row {rownum}", col, "number-format",
                                                f"{values[col]!r} is not a whole number.",
                                                Severity.ERROR))
                        ok = False
                if ok:
                    rows.append({"year": int(values["year"]), "age_band": values["age_band"],
                                 "sex": values["sex"].lower(),
                                 "population": int(values["population"]), "_row": rownum})
    except UnicodeDecodeError:
        raise UnreadableFile(name, "not a text CSV file (it is not UTF-8)") from None
    return rows, problems
