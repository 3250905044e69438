"""Commissioning arithmetic: provider names and registration numbers normalised for matching,
a council's payments file read, checked and matched to providers, and the market map (spend and
contract value by sector and service type per financial year, the share with voluntary,
community and social enterprise (VCSE) providers, concentration, the re-procurement pipeline).

Plain Python and DuckDB with no Django import, so the pages, the API, the command line, the
report and the benchmark all compute the same figures. A payments file of half a million rows is
read with pyarrow and checked and matched in DuckDB, column at a time; only the distinct supplier
names (a few thousand) pass through Python, to be normalised by the one ``normalise_name``.

Conventions:

- Money is ``Decimal`` pounds and pence; DuckDB sums ``DECIMAL(18,2)`` exactly.
- A payment is matched to a provider by the registration number it gives (company number,
  charity number or regulator location id, compared exactly once normalised), else by the
  supplier's normalised name, else by a name a manager matched once before (an alias).
- Contract value in a financial year is the annual value pro rata to the days of the year the
  contract runs (a contract over the whole year counts its whole annual value).
- The VCSE share is VCSE providers' amount over every provider's amount (public, private and
  VCSE: everything bought from outside the council), of matched spend; unmatched spend is shown
  beside it, never guessed.
- Concentration: the five largest providers' share of the year's spend, and the
  Herfindahl-Hirschman index (the sum of each provider's squared percentage share, 0 to 10,000;
  above 2,500 is a highly concentrated market by the competition authorities' usual reading).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

PENNY = Decimal("0.01")
ZERO = Decimal("0.00")


class Sector(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"
    CHARITY = "charity"
    CIC = "cic"
    SOCIAL_ENTERPRISE = "social_enterprise"
    MUTUAL = "mutual"

    @property
    def is_vcse(self) -> bool:
        return self in VCSE

    @property
    def group(self) -> str:
        """public, private or vcse: the three the market map reports."""
        return "vcse" if self.is_vcse else self.value


VCSE = frozenset({Sector.CHARITY, Sector.CIC, Sector.SOCIAL_ENTERPRISE, Sector.MUTUAL})
SECTOR_LABELS = {Sector.PUBLIC: "Public sector", Sector.PRIVATE: "Private",
                 Sector.CHARITY: "VCSE: charity", Sector.CIC: "VCSE: community interest company",
                 Sector.SOCIAL_ENTERPRISE: "VCSE: social enterprise", Sector.MUTUAL: "VCSE: mutual"}
GROUP_LABELS = {"public": "Public sector", "private": "Private", "vcse": "VCSE"}


class ServiceType(StrEnum):
    RESIDENTIAL = "residential"
    NURSING = "nursing"
    HOME_CARE = "home_care"
    SUPPORTED_LIVING = "supported_living"
    EXTRA_CARE = "extra_care"
    DAY_OPPORTUNITIES = "day_opportunities"
    SHARED_LIVES = "shared_lives"
    ADVOCACY = "advocacy"
    PREVENTION = "prevention"
    CARERS = "carers"
    EQUIPMENT = "equipment"
    FOSTERING_AGENCY = "fostering_agency"
    CHILDRENS_RESIDENTIAL = "childrens_residential"
    SUPPORTED_ACCOMMODATION = "supported_accommodation"
    OTHER = "other"


SERVICE_LABELS = {
    ServiceType.RESIDENTIAL: "Residential care", ServiceType.NURSING: "Nursing care",
    ServiceType.HOME_CARE: "Home care", ServiceType.SUPPORTED_LIVING: "Supported living",
    ServiceType.EXTRA_CARE: "Extra care housing", ServiceType.DAY_OPPORTUNITIES: "Day opportunities",
    ServiceType.SHARED_LIVES: "Shared Lives", ServiceType.ADVOCACY: "Advocacy",
    ServiceType.PREVENTION: "Prevention and early help", ServiceType.CARERS: "Carers' support",
    ServiceType.EQUIPMENT: "Equipment and adaptations", ServiceType.FOSTERING_AGENCY: "Independent fostering agency",
    ServiceType.CHILDRENS_RESIDENTIAL: "Children's residential", ServiceType.SUPPORTED_ACCOMMODATION:
    "Supported accommodation (16 to 17)", ServiceType.OTHER: "Other",
}


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


_SECTOR_WORDS = {**{_key(s.value): s for s in Sector}, **{_key(v): k for k, v in SECTOR_LABELS.items()},
                 "vcse": Sector.CHARITY, "voluntary": Sector.CHARITY, "communityinterestcompany": Sector.CIC,
                 "vcsecharity": Sector.CHARITY, "council": Sector.PUBLIC, "nhs": Sector.PUBLIC,
                 "company": Sector.PRIVATE, "independent": Sector.PRIVATE, "privatesector": Sector.PRIVATE}
_SERVICE_WORDS = {**{_key(s.value): s for s in ServiceType}, **{_key(v): k for k, v in SERVICE_LABELS.items()},
                  "domiciliarycare": ServiceType.HOME_CARE, "homecare": ServiceType.HOME_CARE,
                  "carehome": ServiceType.RESIDENTIAL, "nursinghome": ServiceType.NURSING,
                  "daycare": ServiceType.DAY_OPPORTUNITIES, "dayservices": ServiceType.DAY_OPPORTUNITIES,
                  "carerssupport": ServiceType.CARERS, "carers": ServiceType.CARERS,
                  "fostering": ServiceType.FOSTERING_AGENCY, "ifa": ServiceType.FOSTERING_AGENCY,
                  "childrenshome": ServiceType.CHILDRENS_RESIDENTIAL, "sharedlives": ServiceType.SHARED_LIVES}


def parse_sector(text: str) -> Sector | None:
    return _SECTOR_WORDS.get(_key(text))


def parse_service_type(text: str) -> ServiceType | None:
    return _SERVICE_WORDS.get(_key(text))


# Names and registration numbers ------------------------------------------------------------------

# Words a name may carry or drop without naming a different organisation.
_LEGAL = {"ltd", "limited", "plc", "llp", "lp", "cic", "cio", "inc", "co", "company", "the", "uk", "group",
          "trading", "as", "t", "a"}


def normalise_name(name: str) -> str:
    """A supplier or provider name as matching compares it: case, accents, punctuation, '&'
    and legal forms (Ltd, Limited, CIC, The ...) ignored. "The Brightway Care Co. Ltd" and
    "BRIGHTWAY CARE" normalise alike."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ").replace("'", "")
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    kept = [w for w in words if w not in _LEGAL]
    return " ".join(kept or words)


def normalise_number(number: str) -> str:
    """A company number, charity number or regulator location id as compared: no spaces, upper
    case; a company number of digits is zero-padded to its 8 characters (Companies House's form)."""
    text = re.sub(r"\s+", "", str(number or "")).upper()
    if text.endswith(".0") and text[:-2].isdigit():  # a spreadsheet's float
        text = text[:-2]
    return text


def normalise_company(number: str) -> str:
    text = normalise_number(number)
    return text.zfill(8) if text.isdigit() and len(text) < 8 else text


def financial_year(day: dt.date) -> str:
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(PENNY, rounding=ROUND_HALF_UP)


# Reading a payments file ---------------------------------------------------------------------------

PAYMENT_FIELDS = ("supplier", "registration", "date", "amount", "cost_code", "service_type")
PAYMENT_REQUIRED = ("supplier", "date", "amount")


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{self.file} {where}: {self.message}"


class FileInvalid(ValueError):
    """The file's problems, each naming row and column; nothing was loaded."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems[:20]))
        self.problems = problems


def decode(content: bytes, filename: str) -> str:
    """The file as text, or an error naming the first byte that is not UTF-8 and its row.
    Spreadsheets save "CSV" in Windows-1252 unless asked for "CSV UTF-8"; guessing would turn
    "Café" into mojibake in the register, so the file is refused with the place to look."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = content.count(b"\n", 0, exc.start) + 1
        bad = content[exc.start:exc.start + 1].hex()
        raise FileInvalid([Problem(filename, row, "", f"is not UTF-8 text: byte {exc.start} (0x{bad}) cannot be "
                                   "read. Save the file as 'CSV UTF-8' and upload it again")]) from None


def _table(content: bytes, filename: str):
    """The CSV as a pyarrow table of strings (header names as in the file)."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    text = decode(content, filename)
    if not text.strip():
        raise FileInvalid([Problem(filename, 1, "", "is empty; it needs a header row and then one row per payment")])
    data = text.encode("utf-8")
    import csv

    names = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
    try:
        table = pacsv.read_csv(io.BytesIO(data), convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False))
    except pa.ArrowInvalid as exc:
        raise FileInvalid([Problem(filename, 1, "", f"is not a CSV file CareStat can read ({exc})")]) from None
    return table


def _columns(table, columns: dict[str, str], filename: str, required: Sequence[str]) -> dict[str, str]:
    """Which of the file's columns each field is read from; missing required columns are an error."""
    by_lower = {n.strip().lower(): n for n in table.column_names}
    found, problems = {}, []
    for key, name in columns.items():
        actual = by_lower.get((name or "").strip().lower()) if name else None
        if actual is None and key in required:
            problems.append(Problem(filename, 1, name, "this column is missing; the header row has "
                                    f"{', '.join(table.column_names)}. Change the column names in commissioning "
                                    "settings if your file calls it something else"))
        elif actual is not None:
            found[key] = actual
    if problems:
        raise FileInvalid(problems)
    return found


# One rule, written in SQL once: amounts may carry £, thousands commas and brackets for negatives.
_AMOUNT_SQL = ("COALESCE(TRY_CAST(trim({c}) AS DECIMAL(18,2)), "  # the common case, without a regex
               "CASE WHEN regexp_full_match(trim({c}), '\\(.*\\)') THEN -1 ELSE 1 END * "
               "TRY_CAST(nullif(regexp_replace(trim({c}), '[£,()\\s]', '', 'g'), '') AS DECIMAL(18,2)))")
_DATE_SQL = ("COALESCE(TRY_CAST(TRY_STRPTIME(trim({c}), '%Y-%m-%d') AS DATE), "
             "TRY_CAST(TRY_STRPTIME(trim({c}), '%d/%m/%Y') AS DATE), "
             "TRY_CAST(TRY_STRPTIME(trim({c}), '%d-%b-%Y') AS DATE))")
_FY_SQL = ("CAST(CASE WHEN month({d}) >= 4 THEN year({d}) ELSE year({d}) - 1 END AS VARCHAR) || '-' || "
           "lpad(CAST((CASE WHEN month({d}) >= 4 THEN year({d}) + 1 ELSE year({d}) END) % 100 AS VARCHAR), 2, '0')")


@dataclass(frozen=True)
class ProviderKeys:
    """What payments are matched against: each provider's id, normalised name and registration
    numbers, and the aliases managers matched before (normalised name -> provider id)."""

    providers: Sequence[tuple[int, str, Sequence[str]]]  # (id, normalised name, normalised numbers)
    aliases: dict[str, int] = field(default_factory=dict)


@dataclass
class MatchedPayments:
    """A checked, matched payments file: an arrow table with one row per payment (row, supplier,
    supplier_key, registration, date, year, amount, cost_code, service_type, provider_id, how)."""

    table: object  # pyarrow.Table
    rows: int
    total: Decimal
    matched: int
    matched_total: Decimal

    @property
    def unmatched(self) -> int:
        return self.rows - self.matched


def _con():
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    return con


def read_payments(content: bytes, filename: str, columns: dict[str, str], keys: ProviderKeys,
                  *, max_problems: int = 50) -> MatchedPayments:
    """Check every row of a payments file and match each payment to a provider.

    Raises ``FileInvalid`` naming row and column of each problem (blank supplier, a date or
    amount that cannot be read); a file with any problem loads nothing."""
    import pyarrow as pa

    table = _table(content, filename)
    where = _columns(table, columns, filename, PAYMENT_REQUIRED)
    if table.num_rows == 0:
        raise FileInvalid([Problem(filename, 2, "", "has no rows after the header")])
    con = _con()
    # The row number as a spreadsheet shows it (the header is row 1), added on the arrow side:
    # a window function over half a million rows would cost more than the checks.
    con.register("raw", table.append_column("__row", pa.array(range(2, table.num_rows + 2), pa.int64())))

    def col(key):
        return f'"{where[key]}"' if key in where else "''"

    # A view, not a table: each query below computes only the columns it reads.
    con.execute(f"""
        CREATE TEMP VIEW p AS
        SELECT __row AS "row",
               trim({col('supplier')}) AS supplier,
               trim({col('registration')}) AS registration,
               {col('date')} AS date_text, {_DATE_SQL.format(c=col('date'))} AS date,
               {col('amount')} AS amount_text, {_AMOUNT_SQL.format(c=col('amount'))} AS amount,
               trim({col('cost_code')}) AS cost_code,
               trim({col('service_type')}) AS service_text
        FROM raw""")
    problems = []
    for row, no_supplier, no_date, no_amount, date_text, amount_text in con.execute(
            'SELECT "row", supplier = \'\', date IS NULL, amount IS NULL, date_text, amount_text FROM p '
            'WHERE supplier = \'\' OR date IS NULL OR amount IS NULL ORDER BY "row" LIMIT ?',
            [max_problems]).fetchall():
        if no_supplier:
            problems.append(Problem(filename, row, where["supplier"], "is blank; give the supplier's name"))
        if no_date:
            problems.append(Problem(filename, row, where["date"], f"'{date_text}' is not a date; write it as "
                                    "2026-04-30 or 30/04/2026"))
        if no_amount:
            problems.append(Problem(filename, row, where["amount"], f"'{amount_text}' is not an amount; write it "
                                    "as a number of pounds like 1250.00"))
    services: dict[str, str] = {}
    for (text,) in con.execute("SELECT DISTINCT service_text FROM p").fetchall():
        services[text] = "" if not text else (parse_service_type(text) or "")
    if "service_type" in where:
        for text, kind in services.items():
            if text and not kind:
                (row,) = con.execute('SELECT min("row") FROM p WHERE service_text = ?', [text]).fetchone()
                problems.append(Problem(filename, row, where["service_type"],
                                        f"'{text}' is not a service type CareStat knows; use one of "
                                        f"{', '.join(SERVICE_LABELS.values())}"))
    if problems:
        problems.sort(key=lambda p: (p.row, p.column))
        raise FileInvalid(problems[:max_problems])
    # Normalise each distinct supplier name and number once, in Python, with the one rule.
    suppliers = [s for (s,) in con.execute("SELECT DISTINCT supplier FROM p").fetchall()]
    numbers = [n for (n,) in con.execute("SELECT DISTINCT registration FROM p WHERE registration <> ''").fetchall()]
    con.register("supplier_keys", pa.table({"supplier": suppliers,
                                            "supplier_key": [normalise_name(s) for s in suppliers]}))
    con.register("number_keys", pa.table({"registration": numbers,
                                          "number_key": [normalise_company(n) for n in numbers]}))
    con.register("service_keys", pa.table({"service_text": list(services),
                                           "service_type": [str(v) for v in services.values()]}))
    by_number: dict[str, int] = {}
    by_name: dict[str, int] = {}
    for pid, name_key, nums in keys.providers:
        for n in nums:
            by_number.setdefault(n, pid)
            if n.isdigit():  # a charity number of 7 digits, as the file's number is read (zero-padded)
                by_number.setdefault(n.zfill(8), pid)
        by_name.setdefault(name_key, pid)
    con.register("by_number", pa.table({"number_key": list(by_number), "provider_id": list(by_number.values())},
                                       schema=pa.schema([("number_key", pa.string()), ("provider_id", pa.int64())])))
    con.register("by_name", pa.table({"name_key": list(by_name), "provider_id": list(by_name.values())},
                                     schema=pa.schema([("name_key", pa.string()), ("provider_id", pa.int64())])))
    con.register("by_alias", pa.table({"name_key": list(keys.aliases), "provider_id": list(keys.aliases.values())},
                                      schema=pa.schema([("name_key", pa.string()), ("provider_id", pa.int64())])))
    result = con.execute(f"""
        SELECT p."row", p.supplier, sk.supplier_key, p.registration, p.date,
               {_FY_SQL.format(d='p.date')} AS year, p.amount, p.cost_code, sv.service_type,
               COALESCE(bn.provider_id, nm.provider_id, al.provider_id) AS provider_id,
               CASE WHEN bn.provider_id IS NOT NULL THEN 'number' WHEN nm.provider_id IS NOT NULL THEN 'name'
                    WHEN al.provider_id IS NOT NULL THEN 'alias' ELSE '' END AS how
        FROM p
        JOIN supplier_keys sk USING (supplier)
        JOIN service_keys sv USING (service_text)
        LEFT JOIN number_keys nk ON nk.registration = p.registration
        LEFT JOIN by_number bn ON bn.number_key = nk.number_key
        LEFT JOIN by_name nm ON nm.name_key = sk.supplier_key
        LEFT JOIN by_alias al ON al.name_key = sk.supplier_key
    """).to_arrow_table()
    con.register("m", result)
    rows, total, matched, matched_total = con.execute(
        "SELECT count(*), COALESCE(sum(amount), 0), count(provider_id), "
        "COALESCE(sum(amount) FILTER (WHERE provider_id IS NOT NULL), 0) FROM m").fetchone()
    con.close()
    return MatchedPayments(result, rows, money(total), matched, money(matched_total))


def spend_by_provider(matched: MatchedPayments):
    """The file's matched spend summed by (year, provider_id, service_type): what the market map
    needs of it. Rows are (year, provider_id, service_type, amount as Decimal)."""
    con = _con()
    con.register("m", matched.table)
    rows = con.execute("""
        SELECT year, provider_id, service_type, sum(amount) FROM m WHERE provider_id IS NOT NULL
        GROUP BY ALL ORDER BY ALL""").fetchall()
    con.close()
    return [(y, int(p), s, a) for y, p, s, a in rows]  # DuckDB's DECIMAL sums are Decimal to the penny


# The market map ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProviderFact:
    id: int
    name: str
    sector: Sector


@dataclass(frozen=True)
class ContractFact:
    id: int
    reference: str
    title: str
    provider_id: int
    service_type: str
    start: dt.date
    end: dt.date
    annual_value: Decimal
    total_value: Decimal
    sensitive: bool = False
    extension: str = ""


@dataclass(frozen=True)
class SpendFact:
    """Spend summed for one year, provider and service type from one imported file."""

    year: str
    provider_id: int
    service_type: str
    amount: Decimal
    source: str = ""  # the file it came from


@dataclass(frozen=True)
class Split:
    """Amounts by a key (sector group, sector or service type) with their total."""

    amounts: dict[str, Decimal]
    total: Decimal

    def share(self, key: str) -> Decimal | None:
        return percent(self.amounts.get(key, ZERO), self.total)


@dataclass(frozen=True)
class Concentration:
    top: list[tuple[int, Decimal]]  # the five largest providers and their amounts
    top_share: Decimal | None  # percent of the total
    hhi: Decimal | None  # 0 to 10,000
    providers: int


@dataclass(frozen=True)
class VcseAnswer:
    """"The total value of outsourced services to the VCSE sector", with where it comes from."""

    year: str
    spend: Decimal
    spend_total: Decimal
    spend_share: Decimal | None
    contract_value: Decimal
    contract_total: Decimal
    contract_share: Decimal | None
    files: list[tuple[str, Decimal]]  # the payments files and the VCSE spend in each
    contracts: list[ContractFact]  # the VCSE contracts live in the year


@dataclass(frozen=True)
class YearMap:
    year: str
    spend_by_group: Split
    spend_by_sector: Split
    spend_by_service: Split
    value_by_group: Split
    value_by_sector: Split
    value_by_service: Split
    vcse: VcseAnswer
    concentration: Concentration
    value_concentration: Concentration


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole``, one decimal place, rounded half up; None of nothing."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def year_bounds(year: str) -> tuple[dt.date, dt.date]:
    start = int(year[:4])
    return dt.date(start, 4, 1), dt.date(start + 1, 3, 31)


def value_in_year(contract: ContractFact, year: str) -> Decimal:
    """The contract's annual value pro rata to the days of ``year`` it runs."""
    start, end = year_bounds(year)
    first, last = max(start, contract.start), min(end, contract.end)
    if last < first:
        return ZERO
    days = (last - first).days + 1
    whole = (end - start).days + 1
    if days == whole:
        return money(contract.annual_value)
    return money(Decimal(contract.annual_value) * days / whole)


def _split(pairs: Iterable[tuple[str, Decimal]]) -> Split:
    out: dict[str, Decimal] = {}
    for key, amount in pairs:
        out[key] = out.get(key, ZERO) + amount
    return Split(dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))), sum(out.values(), ZERO))


def concentration(amounts: dict[int, Decimal], top_n: int = 5) -> Concentration:
    """The largest providers' share and the HHI of ``amounts`` by provider."""
    positive = {k: v for k, v in amounts.items() if v > 0}
    total = sum(positive.values(), ZERO)
    ranked = sorted(positive.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ranked[:top_n]
    if not total:
        return Concentration(top, None, None, len(positive))
    hhi = sum(((v / total * 100) ** 2 for v in positive.values()), Decimal(0))
    return Concentration(top, percent(sum((v for _, v in top), ZERO), total),
                         hhi.quantize(Decimal("1"), rounding=ROUND_HALF_UP), len(positive))


def year_map(year: str, providers: dict[int, ProviderFact], contracts: Sequence[ContractFact],
             spend: Sequence[SpendFact]) -> YearMap:
    """The market in one financial year."""
    spend = [s for s in spend if s.year == year and s.provider_id in providers]
    live = [(c, value_in_year(c, year)) for c in contracts if c.provider_id in providers]
    live = [(c, v) for c, v in live if v]

    def sector(pid):
        return providers[pid].sector

    spend_by_group = _split((sector(s.provider_id).group, s.amount) for s in spend)
    value_by_group = _split((sector(c.provider_id).group, v) for c, v in live)
    files: dict[str, Decimal] = {}
    for s in spend:
        if sector(s.provider_id).is_vcse:
            files[s.source] = files.get(s.source, ZERO) + s.amount
    vcse = VcseAnswer(year, spend_by_group.amounts.get("vcse", ZERO), spend_by_group.total,
                      spend_by_group.share("vcse"), value_by_group.amounts.get("vcse", ZERO), value_by_group.total,
                      value_by_group.share("vcse"), sorted(files.items()),
                      [c for c, _ in live if sector(c.provider_id).is_vcse])
    by_provider: dict[int, Decimal] = {}
    for s in spend:
        by_provider[s.provider_id] = by_provider.get(s.provider_id, ZERO) + s.amount
    value_by_provider: dict[int, Decimal] = {}
    for c, v in live:
        value_by_provider[c.provider_id] = value_by_provider.get(c.provider_id, ZERO) + v
    return YearMap(
        year,
        spend_by_group, _split((sector(s.provider_id).value, s.amount) for s in spend),
        _split((s.service_type or "unclassified", s.amount) for s in spend),
        value_by_group, _split((sector(c.provider_id).value, v) for c, v in live),
        _split((c.service_type, v) for c, v in live),
        vcse, concentration(by_provider), concentration(value_by_provider))


def years_covered(contracts: Sequence[ContractFact], spend: Sequence[SpendFact], up_to: str | None = None) -> list[str]:
    """The financial years with spend, and those any contract runs in, up to ``up_to`` (the
    current year: later years' contract values are commitments, not yet the market)."""
    years = {s.year for s in spend}
    for c in contracts:
        first, last = int(financial_year(c.start)[:4]), int(financial_year(c.end)[:4])
        if up_to:
            last = min(last, int(up_to[:4]))
        years |= {f"{y}-{(y + 1) % 100:02d}" for y in range(first, last + 1)}
    return sorted(years)


@dataclass(frozen=True)
class PipelineEntry:
    contract: ContractFact
    months_left: int
    within_12: bool


def pipeline(contracts: Sequence[ContractFact], today: dt.date, months: int = 18) -> list[PipelineEntry]:
    """Contracts ending between ``today`` and ``months`` months on, soonest first: what must be
    re-procured, extended or ended."""
    horizon = add_months(today, months)
    twelve = add_months(today, 12)
    out = []
    for c in contracts:
        if today <= c.end <= horizon:
            left = (c.end.year - today.year) * 12 + c.end.month - today.month
            out.append(PipelineEntry(c, max(left, 0), c.end <= twelve))
    return sorted(out, key=lambda e: (e.contract.end, e.contract.reference))


def add_months(day: dt.date, months: int) -> dt.date:
    import calendar

    m = day.month - 1 + months
    year, month = day.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class Rating(StrEnum):
    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"

    @property
    def is_poor(self) -> bool:
        return self in (Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE)


RATING_LABELS = {Rating.OUTSTANDING: "Outstanding", Rating.GOOD: "Good",
                 Rating.REQUIRES_IMPROVEMENT: "Requires improvement", Rating.INADEQUATE: "Inadequate"}
_RATING_WORDS = {**{_key(r.value): r for r in Rating}, **{_key(v): k for k, v in RATING_LABELS.items()},
                 "ri": Rating.REQUIRES_IMPROVEMENT}


def parse_rating(text: str) -> Rating | None:
    return _RATING_WORDS.get(_key(text))
