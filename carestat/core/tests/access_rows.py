"""Core's rows in the role-by-address access matrix (tests/test_access_matrix.py).

Each app keeps its own rows in ``tests/access_rows.py``: PAGES as (url name, method, path
builder, roles allowed, POST data builder or None), API as (method, path with {placeholders}
from the world, roles allowed, JSON payload or None), UNSCOPED url names that any signed-in
person may use, and ``build(world)`` to add the objects its rows address.
"""

import datetime as dt

from carestat.core import services
from carestat.core.models import Job, Membership, ReportingPeriod, UnitKind
from conftest import access_for

ALL = {"admin", "manager", "contributor", "viewer", "auditor"}


def build(w):
    cast, org = w["cast"], w["org"]
    unit = services.add_unit(access_for(cast["admin"], org), name="Adults", kind=UnitKind.DIRECTORATE, parent=None)
    ReportingPeriod.objects.create(organisation=org, identifier="2024-25-Q1", kind="quarter",
                                   start=dt.date(2024, 4, 1), end=dt.date(2024, 6, 30))
    ReportingPeriod.objects.create(organisation=org, identifier="2024-25-Q2", kind="quarter",
                                   start=dt.date(2024, 7, 1), end=dt.date(2024, 9, 30), status="closed")
    w["unit"] = unit
    w["job"] = Job.objects.create(organisation=org, kind="test", title="Loading a return", total=10, done=4)
    w["failed_job"] = Job.objects.create(organisation=org, kind="casedata.recompute", title="Computing measures",
                                         status="failed", error="Interrupted by a restart; retry it.", attempts=1,
                                         params={"user_id": cast["manager"].pk, "org_slug": org.slug,
                                                 "back": "/o/demoshire/"})
    w["membership"] = Membership.objects.get(user=cast["viewer"], organisation=org)


# (url name, method, path builder, allowed roles, POST data builder)
PAGES = [
    ("core:org_home", "get", lambda w: "/o/demoshire/", ALL, None),
    ("core:organisation", "get", lambda w: "/o/demoshire/organisation/", ALL, None),
    ("core:members", "get", lambda w: "/o/demoshire/members/", {"admin"}, None),
    ("core:members", "post", lambda w: "/o/demoshire/members/", {"admin"},
     lambda w: {"email": "new@demoshire.example", "full_name": "New", "role": "viewer"}),
    ("core:member_change", "get", lambda w: f"/o/demoshire/members/{w['membership'].pk}/", {"admin"}, None),
    ("core:member_change", "post", lambda w: f"/o/demoshire/members/{w['membership'].pk}/", {"admin"},
     lambda w: {"role": "contributor", "is_active": "on"}),
    ("core:member_password_reset", "get",
     lambda w: f"/o/demoshire/members/{w['membership'].pk}/reset-password/", {"admin"}, None),
    ("core:member_password_reset", "post",
     lambda w: f"/o/demoshire/members/{w['membership'].pk}/reset-password/", {"admin"}, lambda w: {}),
    ("core:units", "get", lambda w: "/o/demoshire/units/", {"admin"}, None),
    ("core:units", "post", lambda w: "/o/demoshire/units/", {"admin"},
     lambda w: {"name": "Children", "kind": "directorate"}),
    ("core:unit_change", "get", lambda w: f"/o/demoshire/units/{w['unit'].pk}/", {"admin"}, None),
    ("core:unit_change", "post", lambda w: f"/o/demoshire/units/{w['unit'].pk}/", {"admin"},
     lambda w: {"name": "Adult Services"}),
    ("core:periods", "get", lambda w: "/o/demoshire/periods/", ALL, None),
    ("core:periods", "post", lambda w: "/o/demoshire/periods/", {"admin"}, lambda w: {"identifier": "2030-31"}),
    ("core:period_close", "post", lambda w: "/o/demoshire/periods/2024-25-Q1/close/", {"admin", "manager"}, dict),
    ("core:period_reopen", "get", lambda w: "/o/demoshire/periods/2024-25-Q2/reopen/", {"admin", "manager"}, None),
    ("core:period_reopen", "post", lambda w: "/o/demoshire/periods/2024-25-Q2/reopen/", {"admin", "manager"},
     lambda w: {"reason": "A late correction"}),
    ("core:job", "get", lambda w: f"/o/demoshire/jobs/{w['job'].pk}/", ALL, None),
    ("core:job_retry", "post", lambda w: f"/o/demoshire/jobs/{w['failed_job'].pk}/retry/", {"admin", "manager"}, dict),
    ("core:audit_log", "get", lambda w: "/o/demoshire/audit/", {"admin", "auditor"}, None),
    ("core:audit_export", "get", lambda w: "/o/demoshire/audit/export.csv", {"admin", "auditor"}, None),
    ("core:audit_log", "get", lambda w: "/o/demoshire/audit/?kind=changes&record_type=unit&since-day=1&since-month=1"
     "&since-year=2020", {"admin", "auditor"}, None),
    ("core:audit_export_xlsx", "get", lambda w: "/o/demoshire/audit/export.xlsx", {"admin", "auditor"}, None),
    ("core:search", "get", lambda w: "/o/demoshire/search/?q=ONLY", ALL, None),
    ("core:search", "get", lambda w: "/o/demoshire/search/", ALL, None),
    ("core:record_history", "get", lambda w: f"/o/demoshire/history/unit/{w['unit'].pk}/", ALL, None),
    ("core:notifications", "get", lambda w: "/o/demoshire/notifications/", ALL, None),
    ("core:notifications_read", "post", lambda w: "/o/demoshire/notifications/read/", ALL, dict),
    ("core:notification_preferences", "get", lambda w: "/o/demoshire/notifications/settings/", ALL, None),
    ("core:notification_preferences", "post", lambda w: "/o/demoshire/notifications/settings/", ALL,
     lambda w: {"events": ["update_returned", "update_approved"], "email": "digest"}),
]

# Addresses not scoped to one organisation: any signed-in person may use them.
UNSCOPED = {"core:home", "core:signin", "core:signout", "core:tokens", "core:token_revoke", "core:password_change",
            "healthz"}

API = [
    ("get", "/api/v1/organisations/demoshire", ALL, None),
    ("get", "/api/v1/organisations/demoshire/units", ALL, None),
    ("post", "/api/v1/organisations/demoshire/units", {"admin"}, {"name": "Children", "kind": "directorate"}),
    ("patch", "/api/v1/organisations/demoshire/units/{unit.pk}", {"admin"}, {"name": "Adult Services"}),
    ("get", "/api/v1/organisations/demoshire/periods", ALL, None),
    ("get", "/api/v1/organisations/demoshire/search?q=ONLY", ALL, None),
    ("post", "/api/v1/organisations/demoshire/periods", {"admin"}, {"year": "2030-31"}),
    ("post", "/api/v1/organisations/demoshire/periods/2024-25-Q1/close", {"admin", "manager"}, {}),
    ("post", "/api/v1/organisations/demoshire/periods/2024-25-Q2/reopen", {"admin", "manager"},
     {"reason": "A late correction"}),
    ("get", "/api/v1/organisations/demoshire/memberships", ALL, None),
    ("post", "/api/v1/organisations/demoshire/memberships", {"admin"},
     {"email": "new@demoshire.example", "role": "viewer"}),
    ("patch", "/api/v1/organisations/demoshire/memberships/{membership.pk}", {"admin"}, {"role": "contributor"}),
    ("get", "/api/v1/organisations/demoshire/history/unit/{unit.pk}", ALL, None),
    ("get", "/api/v1/organisations/demoshire/audit", {"admin", "auditor"}, None),
    ("get", "/api/v1/organisations/demoshire/jobs/{job.pk}", ALL, None),
    ("post", "/api/v1/organisations/demoshire/jobs/{failed_job.pk}/retry", {"admin", "manager"}, {}),
    ("get", "/api/v1/organisations/demoshire/notifications", ALL, None),
    ("post", "/api/v1/organisations/demoshire/notifications/read", ALL, {}),
    ("get", "/api/v1/organisations/demoshire/notification-preferences", ALL, None),
    ("put", "/api/v1/organisations/demoshire/notification-preferences", ALL,
     {"events": ["update_returned"], "email": True, "digest": True}),
]


def plant(org, admin, mark):
    """A notification for the council's admin, named with ``mark``."""
    from carestat.core.models import Notification

    Notification.objects.create(organisation=org, recipient=admin, event="update_submitted",
                                title=f"{mark} notification", url=f"/o/{org.slug}/")


