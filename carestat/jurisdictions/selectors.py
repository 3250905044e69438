"""What pages, the API, the command line and reports read: the organisation's names for its
bodies, and the catalogue measures its jurisdiction is offered, grouped by framework."""

from __future__ import annotations

from carestat.core.models import Organisation
from carestat.jurisdictions.models import BODIES, DEFAULTS, BodyNames


def custom_terms(org: Organisation) -> dict[str, str]:
    """Only the names the organisation has set (empty for an English council left as it was)."""
    row = BodyNames.objects.filter(organisation=org).first()
    if row is None:
        return {}
    return {name: getattr(row, name) for name, _, _ in BODIES if getattr(row, name)}


def terms_for(org: Organisation) -> dict[str, str]:
    """Every body's name as the organisation's reports use it: its own, else the English default."""
    return {**DEFAULTS, **custom_terms(org)}


def body_rows(org: Organisation) -> list[dict]:
    own = custom_terms(org)
    return [{"key": name, "name": own.get(name, default), "default": default, "about": about,
             "is_default": name not in own} for name, default, about in BODIES]


def framework_catalogue(org: Organisation, *, every_jurisdiction: bool = False) -> list[dict]:
    """The catalogue measures offered to the organisation, grouped by framework and quality
    standard (England's measures, having no framework group, fall under their domain)."""
    from carestat.measures.selectors import offered_catalogue

    groups: dict[tuple[str, str], list] = {}
    for c in offered_catalogue(org, every_jurisdiction=every_jurisdiction):
        key = (c.framework or "England and CareStat's own measures", c.framework_group or c.domain.capitalize())
        groups.setdefault(key, []).append(c)
    return [{"framework": fw, "title": title, "measures": ms} for (fw, title), ms in groups.items()]
