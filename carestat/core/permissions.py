"""What each role may do. Checked in service functions, so UI, API and CLI agree."""

from __future__ import annotations

from enum import StrEnum

from carestat.core.models import Role


class Perm(StrEnum):
    VIEW = "view"  # read plans, measures, reports and each record's history
    CONTRIBUTE = "contribute"  # update the actions one owns
    MANAGE = "manage"  # keep plans and measures, approve updates, close periods
    ADMINISTER = "administer"  # members, roles, units, reporting periods
    VIEW_AUDIT = "view_audit"  # the organisation-wide audit trail, sign-ins included


ROLE_PERMS: dict[str, frozenset[Perm]] = {
    Role.VIEWER: frozenset({Perm.VIEW}),
    Role.CONTRIBUTOR: frozenset({Perm.VIEW, Perm.CONTRIBUTE}),
    Role.MANAGER: frozenset({Perm.VIEW, Perm.CONTRIBUTE, Perm.MANAGE}),
    Role.ADMIN: frozenset({Perm.VIEW, Perm.CONTRIBUTE, Perm.MANAGE, Perm.ADMINISTER, Perm.VIEW_AUDIT}),
    Role.AUDITOR: frozenset({Perm.VIEW, Perm.VIEW_AUDIT}),
}

PERM_WORDS = {
    Perm.VIEW: "read this organisation's records",
    Perm.CONTRIBUTE: "update actions",
    Perm.MANAGE: "change plans, measures or reporting periods",
    Perm.ADMINISTER: "manage members, units and reporting periods",
    Perm.VIEW_AUDIT: "read the organisation's audit trail",
}
