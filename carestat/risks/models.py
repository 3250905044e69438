"""The risk register: each organisation's scoring matrix and risk categories (with appetite),
risks, their dated assessments, controls, mitigating plan actions and key risk indicators.

Scores and bands are computed in carestat.analytics.risks. An assessment stores the level
names, score and band as they were when it was made, so a later change to the matrix never
rescores history; assessments are never changed or deleted."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carestat.analytics import risks as scoring
from carestat.core.models import Organisation, ReportingPeriod, TrackedModel, Unit
from carestat.measures.models import Measure
from carestat.plans.models import Action, Plan, Priority


class Versioned(models.Model):
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class RiskMatrix(TrackedModel):
    """An organisation's likelihood and impact level names and band thresholds. Without one
    the default 5 x 5 matrix (carestat.analytics.risks.DEFAULT_MATRIX) applies."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="risk_matrix")
    likelihood_names = models.JSONField()
    impact_names = models.JSONField()
    bands = models.JSONField(help_text='[{"label": "Low", "min_score": 1, "rag": "green"}, ...]')

    def __str__(self) -> str:
        return f"Risk matrix of {self.organisation}"

    def matrix(self) -> scoring.Matrix:
        return scoring.Matrix(tuple(self.likelihood_names), tuple(self.impact_names),
                              tuple(scoring.Band(b["label"], int(b["min_score"]), b["rag"]) for b in self.bands))


def matrix_for(org: Organisation) -> scoring.Matrix:
    row = RiskMatrix.objects.filter(organisation=org).first()
    return row.matrix() if row else scoring.DEFAULT_MATRIX


class Appetite(models.TextChoices):
    AVERSE = "averse", "Averse"
    MINIMAL = "minimal", "Minimal"
    CAUTIOUS = "cautious", "Cautious"
    OPEN = "open", "Open"
    EAGER = "eager", "Eager"


class RiskCategory(Versioned, TrackedModel):
    """One of the organisation's risk categories, with its appetite: the highest current score
    the organisation will accept for risks of this kind."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="risk_categories")
    name = models.CharField(max_length=100)
    appetite = models.CharField(max_length=10, choices=Appetite.choices)
    max_target_score = models.PositiveIntegerField("highest acceptable score")
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "risk categories"
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="risk_category_unique_in_org")]

    def __str__(self) -> str:
        return self.name

    @property
    def appetite_words(self) -> str:
        return f"{self.get_appetite_display()}: at most {self.max_target_score}"


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    TRANSFERRED = "transferred", "Transferred"


class ReviewFrequency(models.TextChoices):
    MONTHLY = scoring.ReviewFrequency.MONTHLY.value, "Monthly"
    QUARTERLY = scoring.ReviewFrequency.QUARTERLY.value, "Quarterly"
    SIX_MONTHLY = scoring.ReviewFrequency.SIX_MONTHLY.value, "Every six months"
    ANNUAL = scoring.ReviewFrequency.ANNUAL.value, "Annually"


class Risk(Versioned, TrackedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="risks")
    ref = models.CharField("reference", max_length=20)
    title = models.CharField(max_length=300)
    cause = models.TextField(blank=True)
    event = models.TextField(blank=True)
    consequence = models.TextField(blank=True)
    category = models.ForeignKey(RiskCategory, on_delete=models.PROTECT, related_name="risks")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="risks")
    priority = models.ForeignKey(Priority, null=True, blank=True, on_delete=models.PROTECT, related_name="risks",
                                 verbose_name="priority or theme")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="owned_risks")
    status = models.CharField(max_length=12, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    review_frequency = models.CharField(max_length=12, choices=ReviewFrequency.choices,
                                        default=ReviewFrequency.QUARTERLY)
    next_review = models.DateField("next review date")
    # The issues log: a risk that has happened stays the same record, keeping its history.
    occurred_on = models.DateField("happened on", null=True, blank=True)
    issue_note = models.TextField("what happened", blank=True)
    is_archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ref", "pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "ref"], name="risk_ref_unique_in_org")]

    def __str__(self) -> str:
        return f"{self.ref}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == RiskStatus.OPEN and not self.is_archived

    @property
    def is_issue(self) -> bool:
        return self.occurred_on is not None


class AssessmentKind(models.TextChoices):
    INHERENT = "inherent", "Inherent"
    CURRENT = "current", "Current"
    TARGET = "target", "Target"


class Assessment(models.Model):
    """One dated scoring of a risk, kept as it was made: never changed or deleted."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(max_length=10, choices=AssessmentKind.choices)
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    likelihood_name = models.CharField(max_length=60)
    impact_name = models.CharField(max_length=60)
    score = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=60)
    band_rag = models.CharField(max_length=10)
    assessed_on = models.DateField()
    reason = models.TextField()
    period = models.ForeignKey(ReportingPeriod, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               help_text="The quarter the assessment falls in, if the organisation has one.")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["assessed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.score} ({self.band}) on {self.assessed_on}"


class Effectiveness(models.TextChoices):
    EFFECTIVE = "effective", "Effective"
    PARTLY = "partly", "Partly effective"
    NOT = "not", "Not effective"


class Control(Versioned, TrackedModel):
    """A measure already in place that reduces the risk."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="controls")
    description = models.TextField()
    effectiveness = models.CharField(max_length=10, choices=Effectiveness.choices)
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description[:120]


class Mitigation(TrackedModel):
    """A plan action that will reduce the risk; its status and RAG come from the plan."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="mitigations")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="mitigates")
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["risk", "action"], name="one_mitigation_per_action")]

    def __str__(self) -> str:
        return f"{self.action} mitigates {self.risk.ref}"


class KeyIndicator(TrackedModel):
    """A measure that shows the risk materialising."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    risk = models.ForeignKey(Risk, on_delete=models.PROTECT, related_name="indicators")
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="risk_indicators")
    is_archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["risk", "measure"], name="one_indicator_per_measure")]

    def __str__(self) -> str:
        return f"{self.measure.code} for {self.risk.ref}"
