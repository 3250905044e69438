"""Changing the organisation's names for its bodies."""

from __future__ import annotations

from django.db import transaction

from carestat.core.access import Access
from carestat.core.audit import log_action, snapshot
from carestat.core.changes import stamp
from carestat.core.errors import InvalidInput
from carestat.core.permissions import Perm
from carestat.jurisdictions.models import BODY_FIELDS, DEFAULTS, BodyNames


@transaction.atomic
def set_body_names(access: Access, **names: str | None) -> BodyNames:
    """An admin names the organisation's bodies (blank: the English default). Names not given
    are left as they are. Reports built afterwards use the new names; published ones keep theirs."""
    access.require(Perm.ADMINISTER)
    unknown = set(names) - set(BODY_FIELDS)
    if unknown:
        raise InvalidInput(f"‘{sorted(unknown)[0]}’ is not a body CareStat names; use one of "
                           f"{', '.join(BODY_FIELDS)}", field=sorted(unknown)[0])
    org = access.organisation
    row = BodyNames.objects.select_for_update().filter(organisation=org).first()
    new = row is None
    row = row or BodyNames(organisation=org)
    before = None if new else snapshot(row, BODY_FIELDS)
    changed = []
    for name, value in names.items():
        if value is None:
            continue
        value = " ".join(value.split())
        if len(value) > 120:
            raise InvalidInput("Use 120 characters or fewer", field=name)
        if value == DEFAULTS[name]:
            value = ""  # the default, kept as "not set" so a later default change reaches it
        if value != getattr(row, name):
            setattr(row, name, value)
            changed.append(name)
    if not changed:
        return row
    fields = stamp(row, access.user, new=new)
    row.save() if new else row.save(update_fields=[*changed, *fields])
    words = "; ".join(f"{DEFAULTS[n].lower()} is now called ‘{getattr(row, n) or DEFAULTS[n]}’" for n in changed)
    log_action("jurisdictions.bodies.changed", actor=access.user, organisation=org, record=row, before=before,
               after=snapshot(row, BODY_FIELDS), message=f"{access.user.display_name} renamed the bodies: {words}")
    return row
