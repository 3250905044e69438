"""Demoshire's organisation, units, people and roles; and a second council, Westmarch,
whose records Demoshire's people must never see."""

from __future__ import annotations

from carestat import demo
from carestat.core import services
from carestat.core.access import Access
from carestat.core.models import Membership, Role, UnitKind
from carestat.core.tenancy import scoped_to

UNITS = [
    # (name, kind, parent)
    ("Adults' Services", UnitKind.DIRECTORATE, None),
    ("Adult Social Care Operations", UnitKind.SERVICE, "Adults' Services"),
    ("Occupational Therapy", UnitKind.TEAM, "Adult Social Care Operations"),
    ("Safeguarding Adults Hub", UnitKind.TEAM, "Adult Social Care Operations"),
    ("Deprivation of Liberty Safeguards", UnitKind.TEAM, "Adult Social Care Operations"),
    ("Locality North", UnitKind.TEAM, "Adult Social Care Operations"),
    ("Locality South", UnitKind.TEAM, "Adult Social Care Operations"),
    ("Commissioning and Market Development", UnitKind.SERVICE, "Adults' Services"),
    ("Shared Lives", UnitKind.TEAM, "Commissioning and Market Development"),
    ("Children's Services", UnitKind.DIRECTORATE, None),
    ("Children's Social Care", UnitKind.SERVICE, "Children's Services"),
    ("Front Door (MASH)", UnitKind.TEAM, "Children's Social Care"),
    ("Assessment and Intervention", UnitKind.TEAM, "Children's Social Care"),
    ("Child Protection and Court", UnitKind.TEAM, "Children's Social Care"),
    ("Children in Care", UnitKind.TEAM, "Children's Social Care"),
    ("Fostering and Adoption", UnitKind.SERVICE, "Children's Services"),
    ("Workforce and Practice Quality", UnitKind.SERVICE, "Children's Services"),
    ("Corporate Performance", UnitKind.DIRECTORATE, None),
    ("Performance and Intelligence", UnitKind.SERVICE, "Corporate Performance"),
]

MEMBER_UNITS = {
    "priya.shah@demoshire.example": "Adults' Services",
    "tom.okafor@demoshire.example": "Occupational Therapy",
    "helen.morgan@demoshire.example": "Performance and Intelligence",
}


def load(org, progress):
    progress("Creating Demoshire County Council, its units and people")
    org = services.create_organisation(
        name="Demoshire County Council", slug=demo.ORG_SLUG, jurisdiction="england", la_code="999"
    )
    with scoped_to(org):
        _load_demoshire(org)
    for slug, name, jurisdiction, la_code, first_unit in demo.OTHER_ORGANISATIONS:
        progress(f"Creating {name}")
        other = services.create_organisation(name=name, slug=slug, jurisdiction=jurisdiction, la_code=la_code)
        with scoped_to(other):
            _load_other(other, first_unit)
    return org


def other_organisation(slug: str):
    """One of the demo's other organisations (Westmarch, Jersey, Glanmor), for a domain loader
    adding its content there, and the admin who loads it."""
    from carestat.core.models import Organisation

    org = Organisation.objects.get(slug=slug)
    membership = Membership.unscoped.select_related("user").get(organisation=org, role=Role.ADMIN)
    return org, Access(user=membership.user, organisation=org, membership=membership)


def _load_demoshire(org):
    admin_email, admin_name = demo.SIGN_INS[0][0], demo.SIGN_INS[0][1]
    admin = services.create_user(email=admin_email, full_name=admin_name, password=demo.PASSWORD)
    membership = Membership.objects.create(user=admin, organisation=org, role=Role.ADMIN)
    access = Access(user=admin, organisation=org, membership=membership)
    by_name = {}
    for name, kind, parent in UNITS:
        by_name[name] = services.add_unit(access, name=name, kind=kind, parent=by_name.get(parent))
    for year in _demo_years():
        services.ensure_year_periods(org, year, actor=admin)
    for email, name, role, org_name in demo.SIGN_INS[1:]:
        if org_name != "Demoshire":
            continue
        services.create_user(email=email, full_name=name, password=demo.PASSWORD)
        unit = by_name.get(MEMBER_UNITS.get(email, ""))
        services.add_member(access, email=email, role=role, unit=unit)
    services.update_unit(access, by_name["Shared Lives"], name="Shared Lives Scheme", is_archived=False)


def _load_other(org, first_unit):
    email, name = next((e, n) for e, n, _role, o in demo.SIGN_INS if org.name.startswith(o))
    admin = services.create_user(email=email, full_name=name, password=demo.PASSWORD)
    membership = Membership.objects.create(user=admin, organisation=org, role=Role.ADMIN)
    services.add_unit(Access(user=admin, organisation=org, membership=membership),
                      name=first_unit, kind=UnitKind.DIRECTORATE, parent=None)
    if org.slug != "westmarch":
        for year in _demo_years():
            services.ensure_year_periods(org, year, actor=admin)


def _demo_years() -> list[str]:
    """2022-23 to the financial year the demo's story ends in, or today's if later, so a demo
    loaded after the story still has a current period to report on."""
    from django.utils import timezone

    from carestat.analytics.periods import financial_year_of
    from carestat.demo import STORY_DAY

    last = financial_year_of(max(STORY_DAY, timezone.localdate())).start.year
    return [f"{y}-{str(y + 1)[2:]}" for y in range(2022, last + 1)]
