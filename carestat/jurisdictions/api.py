"""API: the organisation's names for its bodies, and the catalogue measures it is offered."""

from __future__ import annotations

from ninja import Router, Schema

from carestat.core.access import org_access
from carestat.core.api import ERRORS
from carestat.core.permissions import Perm
from carestat.jurisdictions import selectors, services

router = Router(tags=["jurisdictions"])
P = "/organisations/{slug}"


class JurisdictionsBodyOut(Schema):
    key: str
    name: str
    default: str
    about: str
    is_default: bool


class JurisdictionsBodiesIn(Schema):
    council: str | None = None
    executive: str | None = None
    executive_member: str | None = None
    scrutiny: str | None = None
    external_auditor: str | None = None
    public_accounts: str | None = None


class JurisdictionsCatalogueOut(Schema):
    code: str
    title: str
    domain: str
    unit: str
    polarity: str
    computed_from: str
    jurisdictions: str
    framework: str
    framework_group: str
    numerator: str
    denominator: str
    national_value: float | None
    national_period: str
    national_source: str
    source_url: str


@router.get(P + "/bodies", response={200: list[JurisdictionsBodyOut], **ERRORS},
            summary="The names the organisation's reports use for its bodies (council, executive, auditor...)")
def bodies(request, slug: str):
    access = org_access(request, slug, Perm.VIEW)
    return selectors.body_rows(access.organisation)


@router.put(P + "/bodies", response={200: list[JurisdictionsBodyOut], **ERRORS},
            summary="Name the organisation's bodies (admins); a blank name restores the English default")
def set_bodies(request, slug: str, payload: JurisdictionsBodiesIn):
    access = org_access(request, slug, Perm.VIEW)
    services.set_body_names(access, **payload.dict())
    return selectors.body_rows(access.organisation)


@router.get(P + "/measure-catalogue", response={200: list[JurisdictionsCatalogueOut], **ERRORS},
            summary="Catalogue measures that apply in the organisation's jurisdiction (all=true: every one)")
def catalogue(request, slug: str, all: bool = False):  # noqa: A002 (the query parameter's name)
    from carestat.measures.selectors import offered_catalogue

    access = org_access(request, slug, Perm.VIEW)
    return [{"code": c.code, "title": c.title, "domain": c.domain, "unit": c.unit, "polarity": c.polarity,
             "computed_from": c.computed_from, "jurisdictions": c.jurisdictions, "framework": c.framework,
             "framework_group": c.framework_group, "numerator": c.numerator, "denominator": c.denominator,
             "national_value": float(c.national_value) if c.national_value is not None else None,
             "national_period": c.national_period, "national_source": c.national_source,
             "source_url": c.source_url}
            for c in offered_catalogue(access.organisation, every_jurisdiction=all)]
