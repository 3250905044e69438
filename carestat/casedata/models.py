"""What was loaded, by whom, and what its validation found.

The case-level records themselves live in the organisation's analytics store (a DuckDB file,
pseudonymised); these rows are the register of submissions people see and audit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from carestat.core.models import Organisation
from carestat.core.tenancy import scoped


class Format(models.TextChoices):
    CIN = "cin", "CIN census (XML)"
    SSDA903 = "ssda903", "SSDA903 children looked after (CSV set)"
    POPULATION = "population", "Population estimates (CSV)"
    CLD = "cld", "Adult social care client level data (CSV)"
    CASE_EVENTS = "case_events", "Case events for operational work (CSV)"
    CSWW = "csww", "Children's social work workforce census (XML)"


class SubmissionStatus(models.TextChoices):
    CURRENT = "current", "Current"
    SUPERSEDED = "superseded", "Superseded by a newer submission"
    REJECTED = "rejected", "Rejected: not loaded"
    DUPLICATE = "duplicate", "Already loaded: nothing changed"


class Submission(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="submissions")
    store_id = models.IntegerField(null=True, blank=True, help_text="The submission's id in the analytics store")
    format = models.CharField(max_length=20, choices=Format.choices)
    files = models.JSONField(default=list)  # file names as uploaded
    period_label = models.CharField(max_length=40, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=SubmissionStatus.choices)
    accepted_with_errors = models.BooleanField(default=False)
    row_counts = models.JSONField(default=dict)
    quarantined_records = models.PositiveIntegerField(default=0)
    quarantine_reasons = models.JSONField(default=dict)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    rejection_reason = models.TextField(blank=True)
    superseded_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    loaded_at = models.DateTimeField(default=timezone.now)
    # A loaded return's measures are computed after it is stored; until they are (or when
    # computing them failed, with the reason), the register says so and `carestat
    # recompute` or the page's button computes what is missing.
    measures_computed_at = models.DateTimeField(null=True, blank=True)
    measures_error = models.TextField(blank=True)
    # Which pseudonymisation key hashed its identifiers (a fingerprint, not the key): a
    # return hashed with another key would give the same children other keys, so the load stops.
    key_fingerprint = models.CharField(max_length=16, blank=True)

    objects = scoped()

    class Meta:
        ordering = ["-loaded_at", "-id"]

    def __str__(self) -> str:
        files = ", ".join(self.files[:3]) + ("…" if len(self.files) > 3 else "")
        return f"{self.get_format_display()} {self.period_label} ({files})"

    @property
    def measures_pending(self) -> bool:
        """Loaded, but the measures its data feeds are not yet computed from it."""
        return self.status == SubmissionStatus.CURRENT and self.measures_computed_at is None

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values()) if self.row_counts else 0

    @property
    def rows_by_kind(self) -> list[tuple[str, int]]:
        """Rows stored, named as people know them rather than by the store's table names."""
        return [(STORED_TABLE_NAMES.get(t, t.replace("_", " ").capitalize()), n)
                for t, n in (self.row_counts or {}).items()]


# What each analytics-store table holds, in words (the store's names are for code).
STORED_TABLE_NAMES = {
    "cin_children": "Children", "cin_referrals": "Referrals", "cin_assessments": "Assessments",
    "cin_section47": "Section 47 enquiries", "cin_cp_plans": "Child protection plans",
    "lac_children": "Children looked after", "lac_episodes": "Placement episodes",
    "population": "Population estimates", "cld_events": "Client level data events",
    "case_events": "Case events", "csww_workers": "Workers", "csww_la": "Council-wide figures",
}


class SubmissionProblem(models.Model):
    """One validation problem, as the analyst needs to find and fix it."""

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="problems")
    severity = models.CharField(max_length=10)  # error, warning
    file = models.CharField(max_length=200)
    location = models.CharField(max_length=300)
    field = models.CharField(max_length=100, blank=True)
    rule = models.CharField(max_length=60)
    message = models.TextField()

    objects = scoped("submission__organisation")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.file} {self.location} {self.field}: {self.message}"


# Problems kept per submission; the counts always cover all of them.
MAX_PROBLEMS_KEPT = 5000


class SavedForecast(models.Model):
    """A backlog forecast as it was made, kept unchanged so it can be compared with what
    actually happened later."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="forecasts")
    title = models.CharField(max_length=200)
    work_type = models.CharField(max_length=100)
    as_of = models.DateField()
    extra_per_week = models.DecimalField(max_digits=8, decimal_places=1, default=0)
    extra_from = models.DateField(null=True, blank=True)
    extra_weeks = models.PositiveIntegerField(null=True, blank=True)
    result = models.JSONField()
    submissions = models.JSONField(default=list)  # provenance: the case-event submissions used
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = scoped()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


# Target times for operational work when an organisation has set none: the safeguarding
# timescales of DESIGN.md's second council (24 hours most urgent, 3 days less urgent, signed
# off within 5 days). Keys: work type, then priority; "*" means any.
DEFAULT_OPS_TARGETS = {
    "safeguarding_concern": {
        "urgent": {"first_action_hours": 24},
        "standard": {"first_action_days": 3},
        "*": {"signoff_days": 5},
    },
}


class StoreSummary(models.Model):
    """What the pages show about an organisation's analytics store, kept in the Django
    database by the process that writes the store, so web processes need not open it."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="store_summary")
    work_types = models.JSONField(default=list, help_text="Work types with case events loaded")
    case_events_end = models.DateField(null=True, blank=True, help_text="The last date the case events cover")
    refreshed_at = models.DateTimeField(default=timezone.now)

    objects = scoped()

    def __str__(self) -> str:
        return f"Analytics store summary for {self.organisation}"


class CaseDataSettings(models.Model):
    """An organisation's settings for computing measures from case data."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="case_data_settings")
    ops_targets = models.JSONField(default=dict, help_text="Target times per work type and priority")
    # Off by default: a recomputed figure that differs from an approved one waits for a
    # manager, so a faulty return can never silently change what a committee was told.
    auto_approve_recomputed = models.BooleanField(
        default=False, help_text="Approve recomputed figures that replace approved ones without a manager")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = scoped()

    def __str__(self) -> str:
        return f"Case data settings for {self.organisation}"
