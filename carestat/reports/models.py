"""Committee reports: a scope and a period, a snapshot of everything the report says, and
its lifecycle (draft, approved, published). Formats are rendered from the snapshot only, so
a frozen report reads the same however often and in whatever format it is rendered."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carestat.core.models import Organisation, ReportingPeriod, TrackedModel, Unit


class ScopeKind(models.TextChoices):
    ORGANISATION = "organisation", "The whole organisation"
    UNIT = "unit", "A directorate or unit"
    PLAN = "plan", "A plan"
    REMIT = "remit", "A board's remit"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"


class Remit(TrackedModel):
    """A board's or committee's remit: the plans and measures it oversees."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="remits")
    name = models.CharField(max_length=200)
    plans = models.ManyToManyField("plans.Plan", blank=True, related_name="+")
    measures = models.ManyToManyField("measures.Measure", blank=True, related_name="+")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="remit_name_unique_in_org")]

    def __str__(self) -> str:
        return self.name


class Report(TrackedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reports")
    scope = models.CharField(max_length=20, choices=ScopeKind.choices)
    plan = models.ForeignKey("plans.Plan", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    remit = models.ForeignKey(Remit, null=True, blank=True, on_delete=models.PROTECT, related_name="reports")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=300)
    main_messages = models.TextField(blank=True, help_text="The officer's main messages for the summary.")
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    snapshot = models.JSONField(default=dict)
    snapshot_hash = models.CharField(max_length=64, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period__start", "-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_frozen(self) -> bool:
        return self.status != ReportStatus.DRAFT

    @property
    def scope_key(self) -> str:
        """Reports with the same key cover the same ground, so one can be compared with the last."""
        return {
            ScopeKind.ORGANISATION: "organisation",
            ScopeKind.UNIT: f"unit:{self.unit_id}",
            ScopeKind.PLAN: f"plan:{self.plan_id}",
            ScopeKind.REMIT: f"remit:{self.remit_id}",
        }[self.scope]

    def sign_off(self) -> dict:
        """Who approved and published the report and when: printed on the cover."""
        return {
            "status": self.status,
            "status_label": self.get_status_display(),
            "approved_by": self.approved_by.display_name if self.approved_by else "",
            "approved_at": self.approved_at.isoformat() if self.approved_at else "",
            "published_by": self.published_by.display_name if self.published_by else "",
            "published_at": self.published_at.isoformat() if self.published_at else "",
            "hash": self.snapshot_hash,
        }
