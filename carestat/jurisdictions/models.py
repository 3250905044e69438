"""What differs between the places CareStat serves, per organisation: the names of the bodies
its reports go to. A Crown dependency has a States Assembly and Ministers where an English
council has a council and a cabinet, a Comptroller and Auditor General where it has an external
auditor. The national framework a measure belongs to is catalogue data (measures app)."""

from __future__ import annotations

from django.db import models

from carestat.core.models import Organisation, TrackedModel
from carestat.core.tenancy import scoped

# (field, English default, what it names): the defaults are the words CareStat used before an
# organisation could choose, so an English council's reports read as they did.
BODIES = (
    ("council", "Council", "the elected body the directorate answers to"),
    ("executive", "Cabinet", "the executive that takes decisions"),
    ("executive_member", "Cabinet member", "the member of the executive responsible for care"),
    ("scrutiny", "Scrutiny committee", "the body that scrutinises the executive"),
    ("external_auditor", "External auditor", "the organisation's external auditor"),
    ("public_accounts", "Public accounts committee", "the committee that reviews the auditor's reports"),
)
BODY_FIELDS = tuple(name for name, _, _ in BODIES)
DEFAULTS = {name: default for name, default, _ in BODIES}


class BodyNames(TrackedModel):
    """The organisation's own names for its bodies; a blank name means the English default."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="body_names")
    council = models.CharField(max_length=120, blank=True)
    executive = models.CharField(max_length=120, blank=True)
    executive_member = models.CharField(max_length=120, blank=True)
    scrutiny = models.CharField(max_length=120, blank=True)
    external_auditor = models.CharField(max_length=120, blank=True)
    public_accounts = models.CharField(max_length=120, blank=True)

    objects = scoped()

    def __str__(self) -> str:
        return f"Body names of {self.organisation}"
