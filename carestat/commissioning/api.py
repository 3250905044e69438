"""Commissioning in the JSON API: the same scoped getters, services and read layer as the pages.

Amounts are decimal strings ("1234.50") so no penny is lost to floating point."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from carestat.analytics.words import count_of
from carestat.commissioning import selectors, services
from carestat.commissioning.access import get_contract_for_user, get_provider_for_user
from carestat.core.access import org_access
from carestat.core.api import ERRORS
from carestat.core.permissions import Perm

router = Router(tags=["commissioning"])
P = "/organisations/{slug}/commissioning"
SOLID = r"[^\s\x1c-\x1f\x85]"
FIVE_SOLID = rf"{SOLID}(.*{SOLID}){{4}}"
SectorIn = Literal["public", "private", "charity", "cic", "social_enterprise", "mutual"]


class CommissioningProviderOut(Schema):
    id: int
    name: str
    sector: str
    vcse: bool
    charity_number: str
    company_number: str
    location_ids: list[str]
    size_band: str
    services: list[str]
    merged_into_id: int | None


class CommissioningProviderIn(Schema):
    name: str = Field(..., max_length=200, pattern=SOLID)
    sector: SectorIn
    charity_number: str = Field("", max_length=20)
    company_number: str = Field("", max_length=20)
    location_ids: list[str] = Field(default_factory=list)
    size_band: Literal["", "micro", "small", "medium", "large"] = ""
    services: list[str] = Field(default_factory=list)


class CommissioningMergeIn(Schema):
    reason: str = Field(..., max_length=2000, pattern=FIVE_SOLID)


class CommissioningContractOut(Schema):
    id: int
    reference: str
    title: str
    provider_id: int
    provider: str
    service_type: str
    lead_unit: str | None
    start: str
    end: str
    extension: str
    annual_value: Decimal
    total_value: Decimal
    funding_source: str
    procurement_route: str
    commercially_sensitive: bool


class CommissioningUnmatchedOut(Schema):
    supplier_key: str
    supplier: str
    payments: int
    total: Decimal


class CommissioningMatchIn(Schema):
    supplier_key: str = Field(..., max_length=200, pattern=SOLID)


class CommissioningMatchOut(Schema):
    matched: int


class CommissioningImportOut(Schema):
    kind: str
    filename: str
    sha256: str
    rows: int
    matched: int
    total: str | None
    created: int
    updated: int
    already_loaded: bool
    imported_at: str


class CommissioningProblemOut(Schema):
    row: int
    column: str
    message: str


class CommissioningImportInvalidOut(Schema):
    detail: str
    problems: list[CommissioningProblemOut]


def _provider(p) -> dict:
    return {"id": p.pk, "name": p.name, "sector": p.sector, "vcse": p.is_vcse, "charity_number": p.charity_number,
            "company_number": p.company_number, "location_ids": p.location_ids or [], "size_band": p.size_band,
            "services": p.services or [], "merged_into_id": p.merged_into_id}


def _contract(c) -> dict:
    return {"id": c.pk, "reference": c.reference, "title": c.title, "provider_id": c.provider_id,
            "provider": c.provider.name, "service_type": c.service_type,
            "lead_unit": c.lead_unit.name if c.lead_unit else None, "start": c.start.isoformat(),
            "end": c.end.isoformat(), "extension": c.extension, "annual_value": c.annual_value,
            "total_value": c.total_value, "funding_source": c.funding_source,
            "procurement_route": c.procurement_route, "commercially_sensitive": c.commercially_sensitive}


@router.get(P + "/market", response={200: dict, **ERRORS},
            summary="The market map: spend and contract value by sector and service type per financial year, the "
                    "VCSE share with its sources, concentration, the pipeline and poor quality ratings")
def market(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return selectors.market_json(selectors.market(access.organisation))


@router.get(P + "/providers", response={200: list[CommissioningProviderOut], **ERRORS}, summary="Providers")
def providers(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_provider(p) for p in selectors.providers(access.organisation)]


@router.post(P + "/providers", response={201: CommissioningProviderOut, **ERRORS},
             summary="Add a provider (managers); one with the same name or registration number is refused")
def add_provider(request, slug: str, payload: CommissioningProviderIn):
    access = org_access(request, slug, Perm.VIEW)
    p = services.add_provider(access, **payload.dict())
    return Status(201, _provider(p))


@router.get(P + "/providers/{provider_id}", response={200: CommissioningProviderOut, **ERRORS})
def provider(request, slug: str, provider_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return _provider(get_provider_for_user(access, provider_id))


@router.post(P + "/providers/{provider_id}/merge/{drop_id}", response={200: CommissioningProviderOut, **ERRORS},
             summary="Merge provider drop_id into this one (managers): its contracts and payments move here")
def merge(request, slug: str, provider_id: int, drop_id: int, payload: CommissioningMergeIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    keep = get_provider_for_user(access, provider_id)
    drop = get_provider_for_user(access, drop_id)
    return _provider(services.merge_providers(access, keep, drop, reason=payload.reason))


@router.get(P + "/contracts", response={200: list[CommissioningContractOut], **ERRORS},
            summary="The contracts register")
def contracts(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [_contract(c) for c in selectors.contracts(access.organisation)]


@router.get(P + "/contracts/{contract_id}", response={200: CommissioningContractOut, **ERRORS})
def contract(request, slug: str, contract_id: int):
    access = org_access(request, slug, Perm.VIEW)
    return _contract(get_contract_for_user(access, contract_id))


@router.get(P + "/unmatched", response={200: list[CommissioningUnmatchedOut], **ERRORS},
            summary="Suppliers in payments files matched to no provider, largest spend first")
def unmatched(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return [{"supplier_key": u.supplier_key, "supplier": u.supplier, "payments": u.payments, "total": u.total}
            for u in services.unmatched(access.organisation)]


@router.post(P + "/providers/{provider_id}/suppliers", response={200: CommissioningMatchOut, **ERRORS},
             summary="Match an unmatched supplier (by its name as the queue gives it) to this provider (managers); "
                     "later files remember it")
def match(request, slug: str, provider_id: int, payload: CommissioningMatchIn):
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    p = get_provider_for_user(access, provider_id)
    return {"matched": services.match_supplier(access, payload.supplier_key, p)}


@router.post(P + "/import/{kind}", response={200: CommissioningImportOut, 422: CommissioningImportInvalidOut,
                                             **{k: v for k, v in ERRORS.items() if k != 422}},
             summary="Import a providers, contracts register, payments or ratings CSV (managers): all rows or "
                     "none; the same file twice changes nothing")
def import_file(request, slug: str, kind: Literal["providers", "contracts", "payments", "ratings"],
                file: UploadedFile = File(...)):  # noqa: B008 (ninja's form parameter)
    access = org_access(request, slug, Perm.VIEW)
    access.require(Perm.MANAGE)
    try:
        result = services.import_file(access, kind, file.read(), filename=file.name or f"{kind}.csv")
    except services.ImportInvalid as exc:
        return Status(422, {"detail": f"Nothing was imported: {count_of(len(exc.problems), 'problem')} in {file.name}",
                            "problems": [{"row": p.row, "column": p.column, "message": p.message}
                                         for p in exc.problems]})
    return result.as_json()
