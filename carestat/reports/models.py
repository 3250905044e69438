"""Committee reports: a scope and a period, a snapshot of everything the report says, and
its lifecycle (draft, approved, published). Formats are rendered from the snapshot only, so
a frozen report reads the same however often and in whatever format it is rendered."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from carestat.core.changes import name_of
from carestat.core.models import Organisation, ReportingPeriod, TrackedModel, Unit
from carestat.core.tenancy import scoped


class ScopeKind(models.TextChoices):
    ORGANISATION = "organisation", "The whole organisation"
    UNIT = "unit", "A directorate or unit"
    PLAN = "plan", "A plan"
    REMIT = "remit", "A board's remit"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word document"
    XLSX = "xlsx", "Excel workbook"
    HTML = "html", "web page (HTML)"
    PPTX = "pptx", "PowerPoint slides"


class Remit(TrackedModel):
    """A board's or committee's remit: the plans and measures it oversees.

    Changing a remit changes what its next draft covers; reports already approved or published
    keep what they said, because they are read from their frozen snapshots. A remit a board no
    longer has is archived, never deleted: its reports still point at it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="remits")
    name = models.CharField(max_length=200)
    plans = models.ManyToManyField("plans.Plan", blank=True, related_name="+")
    measures = models.ManyToManyField("measures.Measure", blank=True, related_name="+")
    is_archived = models.BooleanField("archived", default=False)

    objects = scoped()

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
    # Who last built the snapshot: whoever drafted the report, or refreshed its figures since.
    # With the organisation's "drafter cannot approve" rule, neither they nor the creator approve it.
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    # Versions: reopening an approved or published report leaves it as it was (its snapshot and
    # kept files) and drafts the next version from it, which must be approved again.
    version_number = models.PositiveIntegerField("version", default=1)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_versions",
                                 help_text="The approved or published version this one continues from.")
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)
    # When a later version replaced this one in lists: at once for an approved version reopened
    # (it never went out), when its correction is published for a published one.
    superseded_at = models.DateTimeField(null=True, blank=True)

    objects = scoped()

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

    @property
    def is_reopened(self) -> bool:
        return self.reopened_at is not None

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None

    def sign_off(self) -> dict:
        """Who approved and published the report and when: printed on the cover."""
        return {
            "status": self.status,
            "status_label": self.get_status_display(),
            "approved_by": name_of(self.approved_by),
            "approved_at": self.approved_at.isoformat() if self.approved_at else "",
            "published_by": name_of(self.published_by),
            "published_at": self.published_at.isoformat() if self.published_at else "",
            "hash": self.snapshot_hash,
        }


class ReportRules(TrackedModel):
    """An organisation's rules for who approves reports and who reads drafts (admins set them).

    Both start off for an organisation that has never set them: approval as it always was, and
    drafts read by those who can approve them and by auditors only."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="report_rules")
    drafter_cannot_approve = models.BooleanField(
        "the person who drafted a report cannot approve it", default=False,
        help_text="Drafted means created the report (or its new version) or last refreshed its figures.")
    viewers_see_drafts = models.BooleanField(
        "viewers and contributors can read draft reports", default=False,
        help_text="Managers, admins and auditors always can.")

    objects = scoped()

    class Meta:
        verbose_name_plural = "report rules"

    def __str__(self) -> str:
        return f"Report rules for {self.organisation}"


def report_rules(org: Organisation) -> ReportRules:
    """The organisation's report rules, or the defaults (unsaved) when it has never set them."""
    return ReportRules.objects.filter(organisation=org).first() or ReportRules(organisation=org)


class ReportFile(models.Model):
    """An approved or published report rendered once in one format and version, and kept.

    Every later download is these exact bytes (the fingerprint in the audit trail says so),
    however the renderers change afterwards, and nobody waits for a PDF to be made twice.
    ``status`` is the sign-off printed on the cover: publishing adds a line, so a published
    report has its own files."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="files")
    format = models.CharField(max_length=10, choices=ReportFormat.choices)
    public = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=ReportStatus.choices)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    rendered_at = models.DateTimeField(default=timezone.now)
    rendered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    objects = scoped("report__organisation")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "format", "public", "status"],
                                               name="report_file_once_per_version")]

    def __str__(self) -> str:
        version = "public version" if self.public else "full version"
        return f"{self.report} ({self.get_format_display()}, {version}, {self.get_status_display().lower()})"


class WordTemplate(models.Model):
    """An organisation's own Word template (.docx): its reports' Word files are written on it,
    in its styles, page set-up, header and footer. One per organisation; replacing it changes
    files made afterwards, never the files already kept for approved or published reports."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="word_template")
    name = models.CharField(max_length=200)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    objects = scoped()

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"
