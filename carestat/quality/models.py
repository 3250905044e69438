"""Case-file quality audits: audit tools (versioned question sets graded on a scale), audit
rounds (a seeded, stratified random sample of pseudonymised cases), each case's audit and its
moderation, themes, and the plan actions findings led to.

A tool version used by a round never changes: editing a tool makes a new version. Person
identifiers never reach this database; cases are held by their pseudonymised key only.
Every model carries a direct ``organisation`` so tenancy is enforced on each of them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carestat.analytics import quality as calc
from carestat.core.models import Organisation, TrackedModel
from carestat.core.tenancy import scoped


class AuditTool(TrackedModel):
    """A named audit tool (e.g. "Adults' case file audit"); its questions live in versions."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="audit_tools")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_archived = models.BooleanField(default=False)
    objects = scoped()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="audit_tool_name_unique_in_org")]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> ToolVersion | None:
        return self.versions.order_by("-number").first()


class ToolVersion(TrackedModel):
    """One version of a tool: sections of questions and the grading scale, frozen once made.

    ``questions`` is [{"code": "A1", "section": "Assessment quality", "text": "..."}];
    ``scale`` is [[value, label], ...] best first."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    tool = models.ForeignKey(AuditTool, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    questions = models.JSONField()
    scale = models.JSONField()
    note = models.CharField(max_length=300, blank=True, help_text="What changed from the last version")
    objects = scoped()

    class Meta:
        ordering = ["tool__name", "number"]
        constraints = [models.UniqueConstraint(fields=["tool", "number"], name="one_tool_version_number")]

    def __str__(self) -> str:
        return f"{self.tool.name} v{self.number}"

    @property
    def scale_values(self) -> list[str]:
        return [v for v, _ in self.scale]

    @property
    def scale_labels(self) -> dict[str, str]:
        return {v: label for v, label in self.scale}

    def sections(self) -> list[tuple[str, list[dict]]]:
        out: dict[str, list[dict]] = {}
        for q in self.questions:
            out.setdefault(q["section"], []).append(q)
        return list(out.items())

    @property
    def in_use(self) -> bool:
        return self.rounds.exists()


class Source(models.TextChoices):
    CASEDATA = "casedata", "Case data already loaded"
    UPLOAD = "upload", "An uploaded case list"


class Service(models.TextChoices):
    ADULTS = "adult", "Adults' services"
    CHILDREN = "child", "Children's services"


class StratifyBy(models.TextChoices):
    NONE = "none", calc.STRATIFY_BY["none"]
    TEAM = "team", calc.STRATIFY_BY["team"]
    WORK_TYPE = "work_type", calc.STRATIFY_BY["work_type"]
    NEED = "need", calc.STRATIFY_BY["need"]


class RoundStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class AuditRound(TrackedModel):
    """A round of audits: the sample drawn, its seed and rules, shown so it can be checked."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="audit_rounds")
    title = models.CharField(max_length=200)
    tool_version = models.ForeignKey(ToolVersion, on_delete=models.PROTECT, related_name="rounds")
    period = models.CharField(max_length=20, help_text="The quarter the round reports in, such as 2026-27-Q3")
    service = models.CharField(max_length=10, choices=Service.choices, default=Service.ADULTS)
    source = models.CharField(max_length=10, choices=Source.choices)
    stratify_by = models.CharField(max_length=10, choices=StratifyBy.choices)
    requested = models.JSONField(help_text="Cases asked for per stratum")
    eligible = models.JSONField(default=dict, help_text="Eligible cases per stratum after exclusions")
    excluded = models.JSONField(default=dict, help_text="Cases excluded per rule")
    population = models.PositiveIntegerField(default=0)
    seed = models.BigIntegerField()
    exclude_closed = models.BooleanField(default=True)
    audited_within_months = models.PositiveSmallIntegerField(null=True, blank=True)
    drawn_on = models.DateField()
    peer = models.BooleanField("peer audit", default=False)
    moderation_percent = models.PositiveSmallIntegerField(default=0)
    upload_name = models.CharField(max_length=255, blank=True)
    upload_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    objects = scoped()

    class Meta:
        ordering = ["-drawn_on", "title"]
        constraints = [models.UniqueConstraint(fields=["organisation", "title"], name="audit_round_title_unique")]

    def __str__(self) -> str:
        return self.title


class SampledCase(models.Model):
    """A case drawn into a round, by its pseudonymised key, with the attributes it was drawn by."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(AuditRound, on_delete=models.PROTECT, related_name="cases")
    key = models.CharField(max_length=40)
    stratum = models.CharField(max_length=200)
    team = models.CharField(max_length=200, blank=True)
    work_type = models.CharField(max_length=200, blank=True)
    need = models.CharField(max_length=200, blank=True)
    manager = models.CharField(max_length=254, blank=True)
    objects = scoped()

    class Meta:
        ordering = ["stratum", "key"]
        constraints = [models.UniqueConstraint(fields=["round", "key"], name="case_once_per_round")]

    def __str__(self) -> str:
        return self.key


class AuditKind(models.TextChoices):
    AUDIT = "audit", "Audit"
    MODERATION = "moderation", "Moderation"


class AuditStatus(models.TextChoices):
    ALLOCATED = "allocated", "Allocated"
    DRAFT = "draft", "Draft saved"
    SUBMITTED = "submitted", "Done"


class CaseAudit(TrackedModel):
    """One auditor's audit of one case (or a second auditor's moderation of it)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(AuditRound, on_delete=models.PROTECT, related_name="audits")
    case = models.ForeignKey(SampledCase, on_delete=models.PROTECT, related_name="audits")
    kind = models.CharField(max_length=10, choices=AuditKind.choices, default=AuditKind.AUDIT)
    auditor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=AuditStatus.choices, default=AuditStatus.ALLOCATED)
    overall = models.CharField("overall grade", max_length=40, blank=True)
    strengths = models.TextField(blank=True)
    improvements = models.TextField("areas to improve", blank=True)
    themes = models.ManyToManyField("Theme", blank=True, related_name="audits")
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    objects = scoped()

    class Meta:
        ordering = ["case__stratum", "case__key", "kind"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="one_audit_of_each_kind_per_case")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of case {self.case.key}"


class AuditAnswer(models.Model):
    """The grade (and comment) given to one question in one audit."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    audit = models.ForeignKey(CaseAudit, on_delete=models.PROTECT, related_name="answers")
    code = models.CharField(max_length=20)
    grade = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True)
    objects = scoped()

    class Meta:
        ordering = ["audit", "code"]
        constraints = [models.UniqueConstraint(fields=["audit", "code"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.code}: {self.grade or 'not graded'}"


class Theme(TrackedModel):
    """A theme audits are tagged with (e.g. "Voice of the child"), to follow over time."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="audit_themes")
    name = models.CharField(max_length=120)
    objects = scoped()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="audit_theme_unique_in_org")]

    def __str__(self) -> str:
        return self.name


class FindingAction(TrackedModel):
    """A finding that led to a plan action: the link is kept both ways."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    audit = models.ForeignKey(CaseAudit, null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    round = models.ForeignKey(AuditRound, on_delete=models.PROTECT, related_name="actions")
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.PROTECT, related_name="actions")
    action = models.ForeignKey("plans.Action", on_delete=models.PROTECT, related_name="audit_findings")
    finding = models.TextField()
    objects = scoped()

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.finding[:80]
