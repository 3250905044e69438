"""Reader for the SSDA903 (children looked after) CSV set.

Each file is one 903 table (header, episodes, reviews, uasc, oc2, oc3, ad1,
placed_for_adoption, previous_permanence, missing, social_worker) for one collection year.
The table is recognised from the file name (``..._episodes.csv``) or, failing that, from its
columns; the year comes from the caller or the first ``20xx`` in the file name (``2020`` =
the year ending 31 March 2020). Field checks (code lists, dd/mm/yyyy dates, blanks) follow
the year's DfE spec (``ssda903_spec.json``, generated from reference/ssda903-spec/s903; years
outside 2017-2024 use the nearest spec).

Row numbers are as a spreadsheet shows them: the column header is row 1, the first record
row 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from carestat.analytics.problems import Problem, Severity, UnreadableFile
from carestat.analytics.words import plural

SPEC_PATH = Path(__file__).resolve().parents[1] / "validation" / "ssda903_spec.json"

# file-name keyword -> spec table name
TABLE_NAMES = {
    "header": "Header",
    "episodes": "Episodes",
    "reviews": "Reviews",
    "uasc": "UASC",
    "oc2": "OC2",
    "oc3": "OC3",
    "ad1": "AD1",
    "placed_for_adoption": "PlacedAdoption",
    "placedadoption": "PlacedAdoption",
    "previous_permanence": "PrevPerm",
    "prevperm": "PrevPerm",
    "missing": "Missing",
    "social_worker": "SocialWorker",
    "sw_episodes": "SocialWorker",
}

# columns CareStat cannot do without, per table; other spec columns are checked when present
REQUIRED = {
    "Header": ("CHILD", "SEX", "DOB"),
    "Episodes": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "DEC", "REC"),
    "Reviews": ("CHILD", "REVIEW"),
}

# (table, column) -> DfE rule code for an invalid or blank value
FIELD_RULES = {
    ("Header", "SEX"): "101",
    ("Header", "DOB"): "102",
    ("Header", "ETHNIC"): "103",
    ("Episodes", "DECOM"): "141",
    ("Episodes", "RNE"): "143",
    ("Episodes", "LS"): "144",
    ("Episodes", "CIN"): "145",
    ("Episodes", "PLACE"): "146",
    ("Episodes", "DEC"): "147",
    ("Episodes", "REC"): "149",
    ("Episodes", "PLACE_PROVIDER"): "178",
    ("Episodes", "REASON_PLACE_CHANGE"): "1009",
    ("Reviews", "REVIEW"): "166",
    ("Reviews", "REVIEW_CODE"): "167",
}

# Spec columns that no DfE rule checks (none in 903_2024_25_rule_info.csv names them) and that
# no measure reads: a bad value is a warning and the child's records are kept, since the DfE
# validator would accept the return (docs/analytics/validation-rules.md).
UNCHECKED_BY_DFE = {("SocialWorker", "DOB")}

RULE_MESSAGES = {
    "101": "Gender code is not valid.",
    "102": "Date of birth is not a valid date.",
    "103": "The ethnicity code is either not valid or has not been entered.",
    "141": "Date episode began is not a valid date.",
    "143": "The reason for new episode code is not a valid code.",
    "144": "The legal status code is not a valid code.",
    "145": "Category of need code is not a valid code.",
    "146": "Placement type code is not a valid code.",
    "147": "Date episode ceased is not a valid date.",
    "149": "Reason episode ceased code is not valid. ",
    "178": "Placement provider code is not a valid code.",
    "1009": "Reason for placement change is not a valid code.",
    "166": "Date of review is invalid or blank.",
    "167": "Data entry for participation is invalid or blank.",
}


@lru_cache(maxsize=1)
def _spec() -> dict:
    return json.loads(SPEC_PATH.read_text())


def spec_for(year: int) -> dict:
    years = sorted(int(y) for y in _spec())
    chosen = min(max(year, years[0]), years[-1])
    return _spec()[str(chosen)]


def parse_903_date(text: str | None) -> dt.date | None:
    """dd/mm/yyyy -> date; raises ValueError on anything else (blank is None)."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    if not re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", value):
        raise ValueError(value)
    day, month, year = (int(x) for x in value.split("/"))
    return dt.date(year, month, day)


@dataclass
class Table903:
    file: str
    table: str  # spec name: Header, Episodes, ...
    year: int
    rows: list[dict] = field(default_factory=list)  # parsed values + "_row"
    problems: list[Problem] = field(default_factory=list)


def identify(path: Path, columns: list[str]) -> str | None:
    stem = path.stem.lower()
    for word, table in sorted(TABLE_NAMES.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"(^|[^a-z0-9]){word}($|[^a-z0-9])", stem):
            return table
    return None


def identify_by_columns(columns: list[str], year: int) -> str | None:
    cols = set(columns)
    best = None
    for table, spec in spec_for(year).items():
        if set(spec) <= cols and (best is None or len(spec) > len(spec_for(year)[best])):
            best = table
    return best


def year_from_name(path: Path) -> int | None:
    found = re.search(r"(?<!\d)(20\d\d)(?!\d)", path.name)
    return int(found.group(1)) if found else None


def read_903(path: str | Path, *, year: int | None = None,
             display_name: str | None = None) -> Table903:
    """Read and field-check one 903 CSV. Raises UnreadableFile if it is not a usable 903 table."""
    path = Path(path)
    name = display_name or path.name
    year = year or year_from_name(path)
    if year is None:
        raise UnreadableFile(name, "cannot tell the collection year: put it in the file name "
                             "(e.g. SSDA903_2024_episodes.csv) or give it when loading")
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            try:
                columns = [c.strip().upper() for c in next(reader)]
            except StopIteration:
                raise UnreadableFile(name, "the file is empty") from None
            table = identify(path, columns) or identify_by_columns(columns, year)
            if table is None:
                raise UnreadableFile(name, "not recognised as an SSDA903 table: its name does "
                                     "not say which table and its columns match none")
            spec = spec_for(year).get(table, {})
            required = REQUIRED.get(table, ("CHILD",))
            missing = [c for c in required if c not in columns]
            if missing:
                need = plural(len(missing), "column")
                raise UnreadableFile(name, f"the {table} table is missing the required {need} "
                                     f"{', '.join(missing)}", "row 1")
            result = Table903(file=name, table=table, year=year)
            index = {c: i for i, c in enumerate(columns)}
            for rownum, raw in enumerate(reader, start=2):
                if not any(v.strip() for v in raw):
                    continue
                row = {"_row": rownum}
                for col, i in index.items():
                    value = raw[i].strip() if i < len(raw) else ""
                    row[col] = _check(value, col, spec.get(col), table, name, rownum, result)
                result.rows.append(row)
    except UnicodeDecodeError:
        raise UnreadableFile(name, "not a text CSV file (it is not UTF-8)") from None
    except csv.Error as exc:
        raise UnreadableFile(name, f"not a readable CSV file: {exc}") from None
    return result


def _check(value: str, col: str, spec: dict | None, table: str, file: str, rownum: int,
           result: Table903):
    if spec is None:
        return value or None

    def problem(message: str, generic: str):
        rule = FIELD_RULES.get((table, col), generic)
        msg = RULE_MESSAGES.get(rule, "")
        severity = Severity.ERROR
        if (table, col) in UNCHECKED_BY_DFE:
            severity = Severity.WARNING
            message += " The record is kept: the DfE validator does not check this column."
        result.problems.append(Problem(
            file=file, location=f"row {rownum}", field=col, rule=rule,
            message=f"{msg} {message}".strip(), severity=severity,
            record_key=None,  # filled in by ingest once the child is hashed
        ))
        return None

    if not value:
        if not spec["blank"]:
            return problem(f"{col} is blank but must be given.", "required")
        return None
    kind = spec["type"]
    if kind == "date":
        try:
            return parse_903_date(value)
        except ValueError:
            return problem(f"{value!r} is not a date in the form dd/mm/yyyy.", "date-format")
    if kind == "code":
        value = spec.get("aliases", {}).get(value, value)
        if value not in spec["codes"]:
            return problem(f"{value!r} is not in the code list.", "code-list")
        return value
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            return problem(f"{value!r} is not a whole number.", "number-format")
        return int(value)
    return value
