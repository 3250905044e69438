"""Organisations, their units, people and roles, reporting periods, API tokens and audit."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from carestat.analytics.calendar import Jurisdiction as _Jurisdiction
from carestat.analytics.calendar import calendar_for
from carestat.analytics.periods import PeriodKind, parse_period
from carestat.core.tenancy import scoped, unscoped_manager


class User(AbstractUser):
    """A person who signs in. Email is the sign-in name."""

    full_name = models.CharField(max_length=200, blank=True)
    # Set when someone else chose the password (a new member's one-time password, an admin's
    # reset): every page then asks for a new one before anything else.
    must_change_password = models.BooleanField(default=False)

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Jurisdiction(models.TextChoices):
    ENGLAND = _Jurisdiction.ENGLAND.value, "England"
    WALES = _Jurisdiction.WALES.value, "Wales"
    SCOTLAND = _Jurisdiction.SCOTLAND.value, "Scotland"
    NORTHERN_IRELAND = _Jurisdiction.NORTHERN_IRELAND.value, "Northern Ireland"
    JERSEY = _Jurisdiction.JERSEY.value, "Jersey"
    GUERNSEY = _Jurisdiction.GUERNSEY.value, "Guernsey"
    ISLE_OF_MAN = _Jurisdiction.ISLE_OF_MAN.value, "Isle of Man"


class TrackedModel(models.Model):
    """Who created and last changed a record, and when."""

    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class Organisation(TrackedModel):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    jurisdiction = models.CharField(max_length=20, choices=Jurisdiction.choices)
    la_code = models.CharField(
        "local authority code", max_length=10, blank=True, help_text="DfE LA code, e.g. 938"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def calendar(self):
        return calendar_for(self.jurisdiction)


class UnitKind(models.TextChoices):
    DIRECTORATE = "directorate", "Directorate"
    SERVICE = "service", "Service"
    TEAM = "team", "Team"


# A unit may sit only under a unit of a higher kind.
UNIT_PARENT_KINDS = {
    UnitKind.DIRECTORATE: (),
    UnitKind.SERVICE: (UnitKind.DIRECTORATE,),
    UnitKind.TEAM: (UnitKind.DIRECTORATE, UnitKind.SERVICE),
}


class Unit(TrackedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(max_length=20, choices=UnitKind.choices)
    name = models.CharField(max_length=200)
    is_archived = models.BooleanField(default=False)

    objects = scoped()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="unit_name_unique_in_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Unit]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    CONTRIBUTOR = "contributor", "Contributor"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Admin"
    AUDITOR = "auditor", "Auditor"


ROLE_DESCRIPTIONS = {
    Role.VIEWER: "Reads plans, measures and reports.",
    Role.CONTRIBUTOR: "Reads everything and updates the actions they own.",
    Role.MANAGER: "Contributes, approves updates in their units and keeps plans and measures.",
    Role.ADMIN: "Manages members, units and reporting periods, and everything a manager does.",
    Role.AUDITOR: "Reads everything, including the full audit trail; changes nothing.",
}


class Membership(TrackedModel):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text="For managers: the unit (and those below it) whose updates they approve.",
    )
    is_active = models.BooleanField(default=True)

    objects = scoped()
    # A person's memberships across organisations: signing in, the organisation chooser, resolving
    # /o/<slug>/ to their access (before any organisation is in scope) and finding the account an
    # admin names by email. Nothing else may use it.
    unscoped = unscoped_manager()

    class Meta:
        ordering = ["user__full_name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.get_role_display()}, {self.organisation})"


class PeriodStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ReportingPeriod(TrackedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="periods")
    identifier = models.CharField(max_length=20)
    kind = models.CharField(max_length=10, choices=[(k.value, k.value.title()) for k in PeriodKind])
    start = models.DateField()
    end = models.DateField()
    status = models.CharField(max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)

    objects = scoped()

    class Meta:
        ordering = ["start", "-end"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "identifier"], name="period_unique_in_org")
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED

    @property
    def title(self) -> str:
        return parse_period(self.identifier).title


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash is stored; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise a token.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Fixed when the token is made (CARESTAT_API_TOKEN_DAYS after), so changing the setting
    # does not silently lengthen or cut short tokens already handed out.
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.has_expired

    @property
    def has_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutable("audit entries cannot be changed")

    def delete(self):
        raise AuditImmutable("audit entries cannot be deleted")


class AuditImmutable(Exception):
    pass


class AuditEntry(models.Model):
    """One recorded event. Append-only: the app offers no way to change or delete one, and
    the database refuses updates, deletes and TRUNCATE (migrations 0002 and 0004)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=60, db_index=True)  # "core.unit.created"
    record_type = models.CharField(max_length=60, blank=True)  # "unit"
    record_id = models.CharField(max_length=40, blank=True)
    record_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    message = models.TextField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = scoped(manager_class=models.Manager.from_queryset(AuditEntryQuerySet))
    # Sign-in events belong to no organisation: an organisation's audit trail shows its own
    # members' (carestat.core.views.org.org_audit_entries), and writing an entry needs no scope.
    unscoped = unscoped_manager(models.Manager.from_queryset(AuditEntryQuerySet))

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["record_type", "record_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return self.message

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditImmutable("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable("audit entries cannot be deleted")


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """Long work (loading a return, computing measures, rendering a report) with its progress,
    so the page that started it can show how far it has got."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="jobs")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=60)  # "casedata.ingest"
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    result_url = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the worker needs to run (or rerun) the job: the named task's ids and plain values,
    # the folder of uploaded files it reads (relative to UPLOADS_DIR; deleted when it ends),
    # how many times it has been tried, and the queue's record of the current attempt.
    params = models.JSONField(default=dict, blank=True)
    upload_dir = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_result_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)

    objects = scoped()
    # The queue's own bookkeeping, before it knows a job's organisation: the runner reading the
    # job it was handed, and the worker marking jobs a restart interrupted (carestat.core.jobs).
    unscoped = unscoped_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def retry_problem(self) -> str | None:
        """Why this job cannot be retried, or None when it can."""
        from carestat.core.jobs import retry_problem

        return retry_problem(self)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, round(100 * self.done / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class NotificationEvent(models.TextChoices):
    """What a person can be told of; each may be turned off in their preferences."""

    UPDATE_SUBMITTED = "update_submitted", "An update is submitted for your approval"
    UPDATE_RETURNED = "update_returned", "Your update is returned to you"
    UPDATE_APPROVED = "update_approved", "Your update is approved"
    MILESTONE_OVERDUE = "milestone_overdue", "A milestone of yours goes overdue"
    REPORT_AWAITING = "report_awaiting", "A report awaits approval"
    REPORT_PUBLISHED = "report_published", "A report is published for a board you sit on"


class Notification(models.Model):
    """Something a person is told of in CareStat (and by email unless they chose otherwise)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications")
    event = models.CharField(max_length=30, choices=NotificationEvent.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    # Set for events a daily job finds (a milestone going overdue), so running it twice tells
    # nobody twice: one notification per recipient and key.
    key = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = scoped()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "recipient", "key"],
                                               condition=~models.Q(key=""), name="one_notification_per_key")]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(TrackedModel):
    """One person's choices in one organisation: which events, email or not, and whether
    emails come at once or as one daily digest."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    muted = models.JSONField(default=list, blank=True, help_text="Events this person does not want to hear of.")
    email = models.BooleanField("send email", default=True)
    digest = models.BooleanField("one daily digest email instead of one email each", default=False)

    objects = scoped()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_preference_per_member")]

    def __str__(self) -> str:
        return f"Notification preferences of {self.user} in {self.organisation}"
