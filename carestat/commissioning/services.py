"""Business operations on commissioning: providers (added, imported, merged), the contracts
register, payments files and their matching, quality ratings, and the file column names.

Each is transactional, checks the actor's role, records one audit entry in words and raises a
typed error from carestat.core.errors. Reading is for everyone in the organisation; changing
the register and loading files is for managers and admins.

Files load whole or not at all: every row is checked first and every problem named (file, row,
column, rule); the same file (by its SHA-256) loaded again changes nothing.

Payments are a record of what was paid, not a judged figure, so they are not frozen with a
closed period: a manager matching a supplier later re-attributes old spend, which is the point.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from carestat.analytics import commissioning as calc
from carestat.commissioning.models import (
    CONTRACT_REQUIRED,
    DEFAULT_CONTRACT_COLUMNS,
    DEFAULT_PAYMENT_COLUMNS,
    CommissioningImport,
    CommissioningSettings,
    Contract,
    FundingSource,
    ImportKind,
    Payment,
    ProcurementRoute,
    Provider,
    QualityRating,
    SizeBand,
    SupplierAlias,
    settings_for,
)
from carestat.core.access import Access
from carestat.core.audit import log_action, snapshot
from carestat.core.changes import require_reason, stamp
from carestat.core.errors import Conflict, InvalidInput, ServiceError
from carestat.core.models import Unit
from carestat.core.permissions import Perm

fmt = calc.money
Problem = calc.Problem


class ImportInvalid(ServiceError):
    """A file with problems; nothing was stored. ``problems`` name file, row and column."""

    def __init__(self, problems: list[calc.Problem]):
        super().__init__("; ".join(str(p) for p in problems[:20]), field="file")
        self.problems = problems


@dataclass(frozen=True)
class ImportResult:
    record: CommissioningImport
    already_loaded: bool
    created: int = 0
    updated: int = 0

    @property
    def summary(self) -> str:
        r = self.record
        if self.already_loaded:
            return (f"{r.filename} was already loaded on {timezone.localtime(r.imported_at):%-d %B %Y}; "
                    "nothing changed")
        if r.kind == ImportKind.PAYMENTS:
            return (f"Loaded {r.rows} payments ({money_text(r.total)}) from {r.filename}: {r.matched} matched to "
                    f"providers, {r.rows - r.matched} for a manager to match")
        return f"Loaded {r.rows} rows from {r.filename}: {self.created} added, {self.updated} changed"

    def as_json(self) -> dict:
        r = self.record
        return {"kind": r.kind, "filename": r.filename, "sha256": r.sha256, "rows": r.rows, "matched": r.matched,
                "total": None if r.total is None else str(r.total), "created": self.created,
                "updated": self.updated, "already_loaded": self.already_loaded,
                "imported_at": r.imported_at.isoformat()}


def money_text(value) -> str:
    from carestat.analytics.finance import format_money

    return format_money(value)


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _done(access: Access, kind: str, digest: str) -> CommissioningImport | None:
    return CommissioningImport.objects.filter(organisation=access.organisation, kind=kind, sha256=digest).first()


def _record(access: Access, kind: str, filename: str, digest: str, rows: int, *, matched: int = 0,
            total=None) -> CommissioningImport:
    rec = CommissioningImport(organisation=access.organisation, kind=kind, filename=filename[:255], sha256=digest,
                              rows=rows, matched=matched, total=total, imported_at=timezone.now())
    stamp(rec, access.user, new=True)
    rec.save()
    return rec


def _rows(content: bytes, filename: str, columns: dict[str, str], required) -> tuple[list[tuple[int, dict]], dict]:
    """The CSV's rows as {field: text}, numbered as a spreadsheet numbers them (header is row 1)."""
    try:
        text = calc.decode(content, filename)
    except calc.FileInvalid as exc:
        raise ImportInvalid(exc.problems) from None
    table = list(csv.reader(io.StringIO(text)))
    if not table or not any(c.strip() for c in table[0]):
        raise ImportInvalid([Problem(filename, 1, "", "is empty; it needs a header row and then one row per record")])
    header = [h.strip().lower() for h in table[0]]
    where, problems = {}, []
    for key, name in columns.items():
        if name and name.strip().lower() in header:
            where[key] = header.index(name.strip().lower())
        elif key in required:
            problems.append(Problem(filename, 1, name, "this column is missing; the header row has "
                                    f"{', '.join(table[0])}. Change the column names in commissioning settings "
                                    "if your file calls it something else"))
    if problems:
        raise ImportInvalid(problems)
    out = []
    for number, values in enumerate(table[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        out.append((number, {k: (values[i].strip() if i < len(values) else "") for k, i in where.items()}))
    if not out:
        raise ImportInvalid([Problem(filename, 2, "", "has no rows after the header")])
    return out, columns


def parse_date(text: str) -> dt.date | None:
    for f in ("%Y-%m-%d", "%d/%m/%Y", "%d-%b-%Y", "%d %B %Y"):
        try:
            return dt.datetime.strptime(text.strip(), f).date()
        except ValueError:
            continue
    return None


def parse_money(text: str) -> Decimal | None:
    t = (text or "").replace(",", "").replace("£", "").replace(" ", "")
    negative = t.startswith("(") and t.endswith(")")
    t = t.strip("()")
    try:
        d = Decimal(t)
    except InvalidOperation:
        return None
    if not d.is_finite() or abs(d) >= Decimal("1e12"):
        return None
    return calc.money(-d if negative else d)


def _choice(enum, text: str):
    key = calc._key(text)
    for value, label in enum.choices:
        if key and key in (calc._key(value), calc._key(label), calc._key(label.split(" (")[0])):
            return value
    return None


# Settings ----------------------------------------------------------------------------------------

@transaction.atomic
def save_settings(access: Access, *, contract_columns: dict[str, str], payment_columns: dict[str, str]):
    """The column names of the contracts register and the payments file, as the files name them."""
    access.require(Perm.MANAGE)
    clean = {}
    for label, given, defaults in (("contract", contract_columns, DEFAULT_CONTRACT_COLUMNS),
                                   ("payment", payment_columns, DEFAULT_PAYMENT_COLUMNS)):
        out = {}
        for key in defaults:
            text = (given.get(key) or "").strip()
            required = key in CONTRACT_REQUIRED if label == "contract" else key in calc.PAYMENT_REQUIRED
            if not text and required:
                raise InvalidInput("Enter the column's name as it appears in your file", field=f"{label}_{key}")
            if text and text.lower() in {v.lower() for v in out.values()}:
                raise InvalidInput("Each column needs its own name; this one is used twice", field=f"{label}_{key}")
            out[key] = text
        clean[label] = out
    row = CommissioningSettings.objects.select_for_update().filter(organisation=access.organisation).first()
    new = row is None
    row = row or CommissioningSettings(organisation=access.organisation)
    before = None if new else {"contract_columns": row.contract_columns, "payment_columns": row.payment_columns}
    row.contract_columns, row.payment_columns = clean["contract"], clean["payment"]
    fields = stamp(row, access.user, new=new)
    row.save() if new else row.save(update_fields=["contract_columns", "payment_columns", *fields])
    log_action("commissioning.settings.changed", actor=access.user, organisation=access.organisation, record=row,
               before=before, after={"contract_columns": clean["contract"], "payment_columns": clean["payment"]},
               message=f"{access.user.display_name} set the column names of the contracts register and the "
               "payments file")
    return row


# Providers ---------------------------------------------------------------------------------------

PROVIDER_FIELDS = ("name", "sector", "charity_number", "company_number", "location_ids", "size_band", "services")


def active_providers(org):
    return Provider.objects.filter(organisation=org, merged_into__isnull=True)


def find_provider(org, *, name: str = "", number: str = "", providers=None) -> Provider | None:
    """The provider a name or registration number stands for: the number first, then the
    normalised name, then a name a manager matched before."""
    providers = list(providers if providers is not None else active_providers(org))
    if number:
        n, c = calc.normalise_number(number), calc.normalise_company(number)
        for p in providers:
            if n in p.numbers() or c in p.numbers():
                return p
    key = calc.normalise_name(name)
    if key:
        for p in providers:
            if p.normalised_name == key:
                return p
        alias = SupplierAlias.objects.filter(organisation=org, supplier_key=key).select_related("provider").first()
        if alias is not None:
            return alias.provider
    return None


def _clean_provider(values: dict) -> dict:
    name = (values.get("name") or "").strip()
    if not name:
        raise InvalidInput("Enter the provider's name", field="name")
    sector = calc.parse_sector(values.get("sector") or "")
    if sector is None:
        raise InvalidInput("Choose the provider's sector: public, private, or a VCSE organisation (charity, "
                           "community interest company, social enterprise or mutual)", field="sector")
    size = values.get("size_band") or ""
    if size and size not in SizeBand.values:
        size = _choice(SizeBand, size)
        if size is None:
            raise InvalidInput("Choose a size band: micro, small, medium or large", field="size_band")
    services = []
    for s in values.get("services") or []:
        kind = calc.parse_service_type(s)
        if kind is None:
            raise InvalidInput(f"‘{s}’ is not a service type CareStat knows", field="services")
        services.append(kind.value)
    locations = [calc.normalise_number(x) for x in values.get("location_ids") or [] if str(x).strip()]
    return {"name": name, "sector": sector.value, "charity_number": calc.normalise_number(values.get("charity_number")),
            "company_number": calc.normalise_company(values.get("company_number")) if values.get("company_number")
            else "", "location_ids": locations, "size_band": size, "services": sorted(set(services))}


@transaction.atomic
def add_provider(access: Access, **values) -> Provider:
    """A new provider. A provider with the same registration number or normalised name is the same
    organisation: refused, naming it."""
    access.require(Perm.MANAGE)
    v = _clean_provider(values)
    probe = Provider(**v)
    same = _same_as(access.organisation, probe)
    if same is not None:
        raise Conflict(f"‘{same.name}’ is already a provider with the same name or registration number", field="name")
    p = Provider(organisation=access.organisation, normalised_name=calc.normalise_name(v["name"]), **v)
    stamp(p, access.user, new=True)
    p.save()
    log_action("commissioning.provider.created", actor=access.user, organisation=access.organisation, record=p,
               after=snapshot(p, PROVIDER_FIELDS),
               message=f"{access.user.display_name} added provider ‘{p.name}’ ({p.get_sector_display()})")
    return p


def _same_as(org, probe: Provider, providers=None) -> Provider | None:
    nums = set(probe.numbers())
    key = calc.normalise_name(probe.name)
    for p in (providers if providers is not None else active_providers(org)):
        if nums & set(p.numbers()):
            return p
    for p in (providers if providers is not None else active_providers(org)):
        if p.normalised_name == key:
            # The same name with different company numbers is two organisations: leave it to a manager.
            if probe.company_number and p.company_number and probe.company_number != p.company_number:
                continue
            return p
    return None


PROVIDER_COLUMNS = {"name": "Name", "sector": "Sector", "charity_number": "Charity number",
                    "company_number": "Company number", "location_ids": "Location ids", "size_band": "Size band",
                    "services": "Services"}


def import_providers(access: Access, content: bytes, *, filename: str = "providers.csv") -> ImportResult:
    """Load a providers file (Name, Sector, Charity number, Company number, Location ids,
    Size band, Services; lists separated by ';'). A row naming a provider already held (same
    registration number or normalised name) fills in what it lacks rather than adding a copy."""
    access.require(Perm.MANAGE)
    digest = _digest(content)
    if done := _done(access, ImportKind.PROVIDERS, digest):
        return ImportResult(done, True)
    rows, cols = _rows(content, filename, PROVIDER_COLUMNS, ("name", "sector"))
    problems, clean = [], []
    seen: dict[str, int] = {}
    for number, r in rows:
        values = {**r, "location_ids": [x for x in r.get("location_ids", "").split(";") if x.strip()],
                  "services": [x.strip() for x in r.get("services", "").split(";") if x.strip()]}
        try:
            v = _clean_provider(values)
        except InvalidInput as exc:
            problems.append(Problem(filename, number, cols.get(exc.field, exc.field or ""), exc.message))
            continue
        for key in [calc.normalise_name(v["name"]), *Provider(**v).numbers()]:
            if key in seen:
                problems.append(Problem(filename, number, cols["name"], f"‘{v['name']}’ is the same provider as row "
                                        f"{seen[key]} (same name or registration number); give each provider once"))
                break
        else:
            for key in [calc.normalise_name(v["name"]), *Provider(**v).numbers()]:
                seen[key] = number
            clean.append((number, v))
    if problems:
        raise ImportInvalid(problems)
    return _apply_providers(access, clean, filename, digest)


@transaction.atomic
def _apply_providers(access, clean, filename, digest) -> ImportResult:
    created = updated = 0
    existing = list(active_providers(access.organisation).select_for_update())
    for _number, v in clean:
        same = _same_as(access.organisation, Provider(**v), existing)
        if same is None:
            p = Provider(organisation=access.organisation, normalised_name=calc.normalise_name(v["name"]), **v)
            stamp(p, access.user, new=True)
            p.save()
            existing.append(p)
            created += 1
            continue
        changed = []
        for f in ("charity_number", "company_number", "size_band"):
            if v[f] and not getattr(same, f):
                setattr(same, f, v[f])
                changed.append(f)
        for f in ("location_ids", "services"):
            merged = sorted(set(getattr(same, f) or []) | set(v[f]))
            if merged != sorted(getattr(same, f) or []):
                setattr(same, f, merged)
                changed.append(f)
        if changed:
            same.save(update_fields=[*changed, *stamp(same, access.user)])
            updated += 1
    rec = _record(access, ImportKind.PROVIDERS, filename, digest, len(clean))
    log_action("commissioning.providers.imported", actor=access.user, organisation=access.organisation, record=rec,
               after={"rows": len(clean), "created": created, "updated": updated, "sha256": digest},
               message=f"{access.user.display_name} imported providers from {filename} ({created} added, "
               f"{updated} filled in)")
    return ImportResult(rec, False, created, updated)


@dataclass(frozen=True)
class DuplicatePair:
    first: Provider
    second: Provider
    why: str


def duplicates(org) -> list[DuplicatePair]:
    """Pairs of providers that look like one organisation: a registration number in common, or
    the same normalised name. A manager merges them (or not)."""
    providers = list(active_providers(org))
    out, done = [], set()
    for i, a in enumerate(providers):
        for b in providers[i + 1:]:
            common = set(a.numbers()) & set(b.numbers())
            why = (f"both have registration number {sorted(common)[0]}" if common
                   else "their names are the same once 'Ltd', 'The' and punctuation are ignored"
                   if a.normalised_name == b.normalised_name else "")
            if why and (a.pk, b.pk) not in done:
                done.add((a.pk, b.pk))
                out.append(DuplicatePair(a, b, why))
    return out


@transaction.atomic
def merge_providers(access: Access, keep: Provider, drop: Provider, *, reason: str) -> Provider:
    """Merge ``drop`` into ``keep``: its contracts, payments, ratings and aliases move to ``keep``,
    its name becomes an alias (so files that spell it that way still match), numbers ``keep``
    lacks are copied, and ``drop`` is kept, marked merged, for the audit trail."""
    access.require(Perm.MANAGE)
    reason = require_reason(reason, "Say why these are the same organisation")
    keep = Provider.objects.select_for_update().get(pk=keep.pk, organisation=access.organisation)
    drop = Provider.objects.select_for_update().get(pk=drop.pk, organisation=access.organisation)
    if keep.pk == drop.pk:
        raise InvalidInput("Choose two different providers", field="drop")
    if keep.merged_into_id or drop.merged_into_id:
        raise Conflict("One of these providers has already been merged into another", field="drop")
    moved = {
        "contracts": Contract.objects.filter(provider=drop).update(provider=keep),
        "payments": Payment.objects.filter(provider=drop).update(provider=keep),
        "ratings": QualityRating.objects.filter(provider=drop).update(provider=keep),
        "aliases": SupplierAlias.objects.filter(provider=drop).update(provider=keep),
    }
    changed = []
    for f in ("charity_number", "company_number", "size_band"):
        if getattr(drop, f) and not getattr(keep, f):
            setattr(keep, f, getattr(drop, f))
            changed.append(f)
    for f in ("location_ids", "services"):
        merged = sorted(set(getattr(keep, f) or []) | set(getattr(drop, f) or []))
        if merged != sorted(getattr(keep, f) or []):
            setattr(keep, f, merged)
            changed.append(f)
    if changed:
        keep.save(update_fields=[*changed, *stamp(keep, access.user)])
    if drop.normalised_name != keep.normalised_name and not SupplierAlias.objects.filter(
            organisation=access.organisation, supplier_key=drop.normalised_name).exists():
        alias = SupplierAlias(organisation=access.organisation, supplier_key=drop.normalised_name, supplier=drop.name,
                              provider=keep)
        stamp(alias, access.user, new=True)
        alias.save()
    drop.merged_into = keep
    drop.save(update_fields=["merged_into", *stamp(drop, access.user)])
    log_action("commissioning.provider.merged", actor=access.user, organisation=access.organisation, record=keep,
               before={"dropped": drop.name, "dropped_id": drop.pk}, after={"kept": keep.name, **moved,
                                                                           "reason": reason},
               message=f"{access.user.display_name} merged provider ‘{drop.name}’ into ‘{keep.name}’ "
               f"({moved['contracts']} contracts, {moved['payments']} payments and {moved['ratings']} ratings "
               f"moved): {reason}")
    return keep


# Contracts register ------------------------------------------------------------------------------

def _units(org) -> dict[str, Unit]:
    return {calc._key(u.name): u for u in Unit.objects.filter(organisation=org)}


def check_contracts(access: Access, content: bytes, filename: str) -> list[dict]:
    """Every row of a contracts register, checked; raises ImportInvalid listing every problem."""
    org = access.organisation
    columns = settings_for(org).contracts()
    rows, cols = _rows(content, filename, columns, CONTRACT_REQUIRED)
    providers = list(active_providers(org))
    units = _units(org)
    problems, out, seen = [], [], {}

    def problem(number, key, message):
        problems.append(Problem(filename, number, cols.get(key, key), message))

    for number, r in rows:
        ref = r.get("reference", "")
        if not ref:
            problem(number, "reference", "is blank; give the contract's reference")
        elif ref.lower() in seen:
            problem(number, "reference", f"‘{ref}’ is also on row {seen[ref.lower()]}; give each contract once")
        seen.setdefault(ref.lower(), number)
        if not r.get("title"):
            problem(number, "title", "is blank; give the contract's title")
        provider = find_provider(org, name=r.get("provider", ""), number=r.get("registration", ""),
                                 providers=providers)
        if provider is None:
            problem(number, "provider", f"‘{r.get('provider', '')}’ is not a provider of {org.name}; import or "
                    "add the provider first, or match the name to one")
        kind = calc.parse_service_type(r.get("service_type", ""))
        if kind is None:
            problem(number, "service_type", f"‘{r.get('service_type', '')}’ is not a service type; use one of "
                    f"{', '.join(calc.SERVICE_LABELS.values())}")
        start, end = parse_date(r.get("start", "")), parse_date(r.get("end", ""))
        for key, value in (("start", start), ("end", end)):
            if value is None:
                problem(number, key, f"‘{r.get(key, '')}’ is not a date; write it as 2026-04-01 or 01/04/2026")
        if start and end and end < start:
            problem(number, "end", f"the contract ends ({end:%-d %B %Y}) before it starts ({start:%-d %B %Y})")
        values = {}
        for key in ("annual_value", "total_value"):
            v = parse_money(r.get(key, ""))
            if v is None:
                problem(number, key, f"‘{r.get(key, '')}’ is not an amount; write it as a number of pounds like "
                        "125000.00")
            elif v < 0:
                problem(number, key, "is negative; a contract's value cannot be below zero")
            values[key] = v
        unit = None
        if r.get("lead_unit"):
            unit = units.get(calc._key(r["lead_unit"]))
            if unit is None:
                problem(number, "lead_unit", f"‘{r['lead_unit']}’ is not a unit of {org.name}")
        funding = _choice(FundingSource, r.get("funding_source", "")) if r.get("funding_source") else "council"
        if funding is None:
            problem(number, "funding_source", f"‘{r['funding_source']}’ is not a funding source; use council, "
                    "pooled budget, grant or health")
        route = _choice(ProcurementRoute, r.get("procurement_route", "")) if r.get("procurement_route") else ""
        if route is None:
            problem(number, "procurement_route", f"‘{r['procurement_route']}’ is not a procurement route; use "
                    f"{', '.join(label.lower() for _, label in ProcurementRoute.choices)}")
        sensitive_text = calc._key(r.get("sensitive", ""))
        if sensitive_text not in ("", "yes", "no", "y", "n", "true", "false", "1", "0"):
            problem(number, "sensitive", f"‘{r.get('sensitive')}’ is not yes or no")
        out.append({"row": number, "reference": ref, "title": r.get("title", ""), "provider": provider,
                    "service_type": kind.value if kind else None, "lead_unit": unit, "start": start, "end": end,
                    "extension": r.get("extension", "")[:200], "funding_source": funding,
                    "procurement_route": route, "commercially_sensitive": sensitive_text in ("yes", "y", "true", "1"),
                    **values})
    if problems:
        raise ImportInvalid(problems)
    return out


CONTRACT_FIELDS = ("title", "provider_id", "service_type", "lead_unit_id", "start", "end", "extension",
                   "annual_value", "total_value", "funding_source", "procurement_route", "commercially_sensitive")


def import_contracts(access: Access, content: bytes, *, filename: str = "contracts.csv") -> ImportResult:
    """Load the contracts register: all rows or none. A reference already held is updated to the
    register's values; the same file again changes nothing."""
    access.require(Perm.MANAGE)
    digest = _digest(content)
    if done := _done(access, ImportKind.CONTRACTS, digest):
        return ImportResult(done, True)
    rows = check_contracts(access, content, filename)
    return _apply_contracts(access, rows, filename, digest)


@transaction.atomic
def _apply_contracts(access, rows, filename, digest) -> ImportResult:
    held = {c.reference.lower(): c for c in Contract.objects.select_for_update().filter(
        organisation=access.organisation)}
    created = updated = 0
    for r in rows:
        values = {k: r[k] for k in ("title", "provider", "service_type", "lead_unit", "start", "end", "extension",
                                    "annual_value", "total_value", "funding_source", "procurement_route",
                                    "commercially_sensitive")}
        c = held.get(r["reference"].lower())
        if c is None:
            c = Contract(organisation=access.organisation, reference=r["reference"], source=filename[:255], **values)
            stamp(c, access.user, new=True)
            c.save()
            created += 1
            continue
        before = snapshot(c, CONTRACT_FIELDS)
        for k, v in values.items():
            setattr(c, k, v)
        if snapshot(c, CONTRACT_FIELDS) != before:
            c.source = filename[:255]
            c.save(update_fields=[*values, "source", *stamp(c, access.user)])
            updated += 1
    rec = _record(access, ImportKind.CONTRACTS, filename, digest, len(rows),
                  total=sum((r["total_value"] for r in rows), Decimal("0")))
    log_action("commissioning.contracts.imported", actor=access.user, organisation=access.organisation, record=rec,
               after={"rows": len(rows), "created": created, "updated": updated, "sha256": digest},
               message=f"{access.user.display_name} imported the contracts register {filename} ({created} contracts "
               f"added, {updated} changed)")
    return ImportResult(rec, False, created, updated)


# Payments ----------------------------------------------------------------------------------------

def provider_keys(org) -> calc.ProviderKeys:
    providers = [(p.pk, p.normalised_name, p.numbers()) for p in active_providers(org)]
    aliases = dict(SupplierAlias.objects.filter(organisation=org).values_list("supplier_key", "provider_id"))
    return calc.ProviderKeys(providers, aliases)


def read_payments(access: Access, content: bytes, filename: str) -> calc.MatchedPayments:
    """The payments file checked and matched (nothing stored)."""
    try:
        return calc.read_payments(content, filename, settings_for(access.organisation).payments(),
                                  provider_keys(access.organisation))
    except calc.FileInvalid as exc:
        raise ImportInvalid(exc.problems) from None


def import_payments(access: Access, content: bytes, *, filename: str = "payments.csv",
                    progress=lambda msg: None) -> ImportResult:
    """Load a payments file: every row checked (supplier, date, amount, service type), matched to
    providers (registration number, then normalised name, then names matched before) and stored,
    all or none. Unmatched rows wait for a manager. The same file again changes nothing."""
    access.require(Perm.MANAGE)
    digest = _digest(content)
    if done := _done(access, ImportKind.PAYMENTS, digest):
        return ImportResult(done, True)
    progress(f"Checking and matching {filename}")
    matched = read_payments(access, content, filename)
    return _apply_payments(access, matched, filename, digest, progress)


@transaction.atomic
def _apply_payments(access, matched: calc.MatchedPayments, filename, digest, progress) -> ImportResult:
    rec = _record(access, ImportKind.PAYMENTS, filename, digest, matched.rows, matched=matched.matched,
                  total=matched.total)
    org_id = access.organisation.pk
    batch, done = [], 0
    cols = matched.table.to_pydict()
    n = matched.rows
    for i in range(n):
        batch.append(Payment(organisation_id=org_id, source=rec, row=cols["row"][i], supplier=cols["supplier"][i][:200],
                             supplier_key=cols["supplier_key"][i][:200], registration=cols["registration"][i][:40],
                             date=cols["date"][i], year=cols["year"][i], amount=cols["amount"][i],
                             cost_code=cols["cost_code"][i][:40], service_type=cols["service_type"][i],
                             provider_id=cols["provider_id"][i], matched_by=cols["how"][i]))
        if len(batch) >= 5000:
            Payment.objects.bulk_create(batch)
            done += len(batch)
            batch = []
            progress(f"Stored {done:,} of {n:,} payments")
    Payment.objects.bulk_create(batch)
    log_action("commissioning.payments.imported", actor=access.user, organisation=access.organisation, record=rec,
               after={"rows": matched.rows, "matched": matched.matched, "total": str(matched.total), "sha256": digest},
               message=f"{access.user.display_name} imported payments file {filename} ({matched.rows} payments, "
               f"{money_text(matched.total)}; {matched.matched} matched to providers)")
    return ImportResult(rec, False)


@dataclass(frozen=True)
class UnmatchedSupplier:
    supplier_key: str
    supplier: str  # one spelling from the file
    payments: int
    total: Decimal


def unmatched(org, limit: int | None = None) -> list[UnmatchedSupplier]:
    """Suppliers no provider matched, largest spend first: the queue a manager works through."""
    from django.db.models import Count, Max, Sum

    qs = (Payment.objects.filter(organisation=org, provider__isnull=True).values("supplier_key")
          .annotate(n=Count("id"), total=Sum("amount"), name=Max("supplier")).order_by("-total", "supplier_key"))
    if limit:
        qs = qs[:limit]
    return [UnmatchedSupplier(r["supplier_key"], r["name"], r["n"], calc.money(r["total"])) for r in qs]


@transaction.atomic
def match_supplier(access: Access, supplier_key: str, provider: Provider) -> int:
    """Match every unmatched payment to a supplier (by its normalised name) to ``provider``, and
    remember the match so later files need no one. Returns the payments matched."""
    access.require(Perm.MANAGE)
    key = calc.normalise_name(supplier_key)
    if provider.organisation_id != access.organisation.pk or provider.merged_into_id:
        raise InvalidInput("Choose a provider of this organisation", field="provider")
    rows = Payment.objects.filter(organisation=access.organisation, supplier_key=key, provider__isnull=True)
    sample = rows.values_list("supplier", flat=True).first()
    if sample is None:
        raise InvalidInput("No unmatched payments are to that supplier", field="supplier_key")
    alias = SupplierAlias.objects.select_for_update().filter(organisation=access.organisation,
                                                             supplier_key=key).first()
    if alias is None:
        alias = SupplierAlias(organisation=access.organisation, supplier_key=key, supplier=sample[:200],
                              provider=provider)
        stamp(alias, access.user, new=True)
        alias.save()
    elif alias.provider_id != provider.pk:
        alias.provider = provider
        alias.save(update_fields=["provider", *stamp(alias, access.user)])
    n = rows.update(provider=provider, matched_by="manager")
    log_action("commissioning.supplier.matched", actor=access.user, organisation=access.organisation,
               record=provider, after={"supplier": sample, "payments": n},
               message=f"{access.user.display_name} matched supplier ‘{sample}’ to provider ‘{provider.name}’ "
               f"({n} payments); later files will match it too")
    return n


# Quality ratings ---------------------------------------------------------------------------------

RATING_COLUMNS = {"provider": "Provider", "registration": "Provider number", "location": "Location",
                  "rating": "Rating", "date": "Date"}


def import_ratings(access: Access, content: bytes, *, filename: str = "ratings.csv") -> ImportResult:
    """Load regulator ratings (Provider, Location, Rating, Date; optionally Provider number): all
    rows or none; a rating already held for the location and date is not added twice."""
    access.require(Perm.MANAGE)
    digest = _digest(content)
    if done := _done(access, ImportKind.RATINGS, digest):
        return ImportResult(done, True)
    org = access.organisation
    rows, cols = _rows(content, filename, RATING_COLUMNS, ("provider", "location", "rating", "date"))
    providers = list(active_providers(org))
    problems, clean = [], []
    for number, r in rows:
        p = find_provider(org, name=r.get("provider", ""), number=r.get("registration", ""), providers=providers)
        if p is None:
            problems.append(Problem(filename, number, cols["provider"], f"‘{r.get('provider')}’ is not a provider "
                                    f"of {org.name}; import or add it first"))
        rating = calc.parse_rating(r.get("rating", ""))
        if rating is None:
            problems.append(Problem(filename, number, cols["rating"], f"‘{r.get('rating')}’ is not a rating; use "
                                    "outstanding, good, requires improvement or inadequate"))
        day = parse_date(r.get("date", ""))
        if day is None:
            problems.append(Problem(filename, number, cols["date"], f"‘{r.get('date')}’ is not a date; write it "
                                    "as 2026-04-30"))
        if not r.get("location"):
            problems.append(Problem(filename, number, cols["location"], "is blank; give the location's name or id"))
        clean.append((p, r.get("location", "")[:200], rating, day))
    if problems:
        raise ImportInvalid(problems)
    return _apply_ratings(access, clean, filename, digest)


@transaction.atomic
def _apply_ratings(access, clean, filename, digest) -> ImportResult:
    created = 0
    for p, location, rating, day in clean:
        if QualityRating.objects.filter(organisation=access.organisation, provider=p, location=location,
                                        date=day).exists():
            continue
        q = QualityRating(organisation=access.organisation, provider=p, location=location, rating=rating.value,
                          date=day)
        stamp(q, access.user, new=True)
        q.save()
        created += 1
    rec = _record(access, ImportKind.RATINGS, filename, digest, len(clean))
    log_action("commissioning.ratings.imported", actor=access.user, organisation=access.organisation, record=rec,
               after={"rows": len(clean), "created": created, "sha256": digest},
               message=f"{access.user.display_name} imported quality ratings from {filename} ({created} added)")
    return ImportResult(rec, False, created, 0)


IMPORTERS = {"providers": import_providers, "contracts": import_contracts, "payments": import_payments,
             "ratings": import_ratings}


def import_file(access: Access, kind: str, content: bytes, *, filename: str) -> ImportResult:
    if kind not in IMPORTERS:
        raise InvalidInput("Choose what the file holds: providers, contracts, payments or ratings", field="kind")
    return IMPORTERS[kind](access, content, filename=filename)
