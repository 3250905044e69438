"""Plans > priorities (themes) > objectives (statements) > actions > milestones, period
updates on actions, the history of milestone date changes and the snapshots frozen when a
reporting period closes. Status and RAG are derived (carestat.plans.rules), never stored,
except in a closed period's snapshot."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from carestat.core.models import Organisation, ReportingPeriod, TrackedModel, Unit
from carestat.core.tenancy import scoped
from carestat.plans import rules


class PlanKind(models.TextChoices):
    IMPROVEMENT = "improvement", "Improvement programme"
    PORTFOLIO = "portfolio", "Portfolio plan"
    SERVICE_FINANCIAL = "service_financial", "Service and financial plan"
    GOVERNANCE = "governance", "Governance framework"
    RECOMMENDATIONS = "recommendations", "Recommendations action plan"


class BauOrChange(models.TextChoices):
    BAU = "bau", "Business as usual"
    CHANGE = "change", "Change"


class RagChoice(models.TextChoices):
    RED = rules.Rag.RED.value, "Red"
    AMBER = rules.Rag.AMBER.value, "Amber"
    GREEN = rules.Rag.GREEN.value, "Green"
    BLUE = rules.Rag.BLUE.value, "Complete"
    GREY = rules.Rag.GREY.value, "Not started"


class StatusChoice(models.TextChoices):
    COMPLETE = rules.Status.COMPLETE.value, "Complete"
    ON_TRACK = rules.Status.ON_TRACK.value, "On track"
    AT_RISK = rules.Status.AT_RISK.value, "At risk"
    OVERDUE = rules.Status.OVERDUE.value, "Overdue"
    NOT_STARTED = rules.Status.NOT_STARTED.value, "Not started"


class PlanRules(TrackedModel):
    """An organisation's numbers for the status and RAG rules (defaults in rules.RuleSettings)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="plan_rules")
    at_risk_slip_days = models.PositiveIntegerField(default=rules.DEFAULT_RULES.at_risk_slip_days)
    due_soon_days = models.PositiveIntegerField(default=rules.DEFAULT_RULES.due_soon_days)
    due_soon_below_percent = models.PositiveIntegerField(default=rules.DEFAULT_RULES.due_soon_below_percent)
    overdue_red_below_percent = models.PositiveIntegerField(default=rules.DEFAULT_RULES.overdue_red_below_percent)
    redate_out_of_red_needs_approval = models.BooleanField(
        "re-dating a red milestone out of red needs a manager's approval", default=False)

    objects = scoped()

    class Meta:
        verbose_name_plural = "plan rules"

    def __str__(self) -> str:
        return f"Plan rules for {self.organisation}"

    def settings(self) -> rules.RuleSettings:
        return rules.RuleSettings(
            at_risk_slip_days=self.at_risk_slip_days, due_soon_days=self.due_soon_days,
            due_soon_below_percent=self.due_soon_below_percent,
            overdue_red_below_percent=self.overdue_red_below_percent,
            redate_out_of_red_needs_approval=self.redate_out_of_red_needs_approval,
        )


def rules_for(org: Organisation) -> rules.RuleSettings:
    row = PlanRules.objects.filter(organisation=org).first()
    return row.settings() if row else rules.DEFAULT_RULES


class Versioned(models.Model):
    """A counter raised by every change, so that an edit begun on an older version is
    refused rather than silently overwriting what changed since (see services._locked)."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class Archivable(Versioned, TrackedModel):
    """Reported plan content is archived, never deleted."""

    is_archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class Plan(Archivable):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="plans")
    kind = models.CharField(max_length=20, choices=PlanKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    start = models.DateField()
    end = models.DateField()

    objects = scoped()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "title"], name="plan_title_unique_in_org")
        ]

    def __str__(self) -> str:
        return self.title


class Priority(Archivable):
    """A priority or theme of a plan."""

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="priorities")
    title = models.CharField(max_length=300)
    position = models.PositiveIntegerField(default=0)

    objects = scoped("plan__organisation")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return self.title


class Objective(Archivable):
    """A statement of what a priority will achieve."""

    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="objectives")
    statement = models.TextField()
    position = models.PositiveIntegerField(default=0)

    objects = scoped("priority__plan__organisation")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.statement[:120]


class Action(Archivable):
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="actions")
    also_serves = models.ManyToManyField(
        Objective, blank=True, related_name="supporting_actions",
        help_text="Other objectives this action serves, beyond the one it sits under.",
    )
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="owned_actions")
    lead_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bau_or_change = models.CharField("business as usual or change", max_length=10, choices=BauOrChange.choices,
                                     default=BauOrChange.CHANGE)
    phase = models.CharField(max_length=100, blank=True, help_text="Such as ‘First 100 days’ or ‘Year 2’.")
    start = models.DateField(null=True, blank=True)
    due = models.DateField()
    percent_complete = models.PositiveIntegerField(
        default=0, help_text="From the latest approved update; set only by approving one."
    )
    position = models.PositiveIntegerField(default=0)

    objects = scoped("objective__priority__plan__organisation")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def plan(self) -> Plan:
        return self.objective.priority.plan

    def started(self, today: dt.date) -> bool:
        return self.start is None or self.start <= today or self.percent_complete > 0


class Milestone(Archivable):
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(max_length=300)
    baseline_date = models.DateField(help_text="The original date; it never changes.")
    forecast_date = models.DateField(help_text="The revised date; each change needs a reason.")
    actual_date = models.DateField(null=True, blank=True)
    rag_override = models.CharField("RAG override", max_length=10, blank=True, choices=RagChoice.choices)
    rag_override_reason = models.TextField("reason for the RAG override", blank=True)

    objects = scoped("action__objective__priority__plan__organisation")

    class Meta:
        ordering = ["baseline_date", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def slippage_days(self) -> int:
        return rules.slippage_days(self.baseline_date, self.forecast_date, self.actual_date)

    def slippage_working_days(self, org: Organisation) -> int:
        latest = self.actual_date or self.forecast_date
        return org.calendar.working_days_between(self.baseline_date, latest)


class MilestoneDateChange(models.Model):
    """One change of a milestone's forecast date, with its reason. Never changed afterwards."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="date_changes")
    old_date = models.DateField()
    new_date = models.DateField()
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField()

    objects = scoped("milestone__action__objective__priority__plan__organisation")

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.milestone}: {self.old_date} to {self.new_date}"


class RedateStatus(models.TextChoices):
    PENDING = "pending", "Awaiting a manager"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class PendingRedate(models.Model):
    """A re-dating that would take a red milestone out of red, asked for by someone who does
    not manage the action, held until a manager approves it (and it is made) or rejects it.
    Only where the organisation's plan rules ask for this."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="pending_redates")
    new_date = models.DateField()
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=RedateStatus.choices, default=RedateStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    objects = scoped("milestone__action__objective__priority__plan__organisation")

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["milestone"], condition=models.Q(status="pending"),
                                               name="one_pending_redate_per_milestone")]

    def __str__(self) -> str:
        return f"Move ‘{self.milestone}’ to {self.new_date:%-d %B %Y}"


class UpdateStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned"
    APPROVED = "approved", "Approved"


class Delivery(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"


class ActionUpdate(Versioned, TrackedModel):
    """An action owner's update for one reporting period, approved or returned by a manager."""

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=UpdateStatus.choices, default=UpdateStatus.DRAFT)
    # A draft may be saved part-written; submitting needs the delivery status and commentary.
    delivery = models.CharField("delivery status", max_length=10, choices=Delivery.choices, blank=True)
    percent_complete = models.PositiveIntegerField()
    commentary = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    # How an action at risk or off track will get back on track: what reports show beside the
    # exception (not the next steps, which every update has). Needed to submit an off-track one.
    recovery_action = models.TextField(blank=True)
    evidence_links = models.TextField(blank=True, help_text="One link per line.")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comments = models.TextField(blank=True)

    objects = scoped("period__organisation")

    class Meta:
        ordering = ["-period__start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["action", "period"], name="one_update_per_action_period")
        ]

    def __str__(self) -> str:
        return f"{self.period.identifier} update on ‘{self.action}’"

    @property
    def evidence(self) -> list[str]:
        return [line.strip() for line in self.evidence_links.splitlines() if line.strip()]


class PeriodSnapshot(models.Model):
    """The derived status of one action or milestone as frozen when its period closed."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="snapshots")
    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="snapshots")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="snapshots")
    status = models.CharField(max_length=12, choices=StatusChoice.choices)
    rag = models.CharField(max_length=10, choices=RagChoice.choices)
    overridden = models.BooleanField(default=False)
    percent_complete = models.PositiveIntegerField(default=0)
    baseline_date = models.DateField(null=True, blank=True)
    forecast_date = models.DateField(null=True, blank=True)
    actual_date = models.DateField(null=True, blank=True)
    taken_at = models.DateTimeField()

    objects = scoped("plan__organisation")

    class Meta:
        ordering = ["period__start", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["period", "milestone"], condition=models.Q(milestone__isnull=False),
                                    name="one_milestone_snapshot_per_period"),
            models.UniqueConstraint(fields=["period", "action"], condition=models.Q(milestone__isnull=True),
                                    name="one_action_snapshot_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.period.identifier}: {self.milestone or self.action} {self.status}"
