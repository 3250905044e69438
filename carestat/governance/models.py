"""Boards and committees, their forward plans and meetings (agenda, papers, attendance,
minutes, decisions), and one tracker for every recommendation made to the organisation,
whatever its source. A recommendation's progress comes from the plan actions linked to it;
its status changes and extensions are kept as history, never rewritten."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from carestat.analytics import governance as rules
from carestat.core.models import Organisation, TrackedModel
from carestat.core.tenancy import scoped


class BoardKind(models.TextChoices):
    SMT = "smt", "Senior management team"
    FINANCE_PERFORMANCE = "finance_performance", "Finance and performance"
    CARE_QUALITY = "care_quality", "Care quality group"
    SCRUTINY = "scrutiny", "Scrutiny committee"
    PUBLIC_ACCOUNTS = "public_accounts", "Public accounts committee"
    PARTNERSHIP = "partnership", "Partnership board"
    OTHER = "other", "Other"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"
    BIMONTHLY = "bimonthly", "Every two months"
    QUARTERLY = "quarterly", "Quarterly"
    AS_NEEDED = "as_needed", "As needed"


class Versioned(models.Model):
    """Raised by every change, so an edit begun on an older copy is refused."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class Board(Versioned, TrackedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="boards")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=BoardKind.choices)
    remit = models.ForeignKey("reports.Remit", null=True, blank=True, on_delete=models.PROTECT, related_name="boards",
                              help_text="The plans and measures the board oversees (kept under Reports).")
    frequency = models.CharField(max_length=12, choices=Frequency.choices, default=Frequency.MONTHLY)
    terms_of_reference = models.TextField(blank=True)
    is_archived = models.BooleanField("archived", default=False)
    objects = scoped()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="board_name_unique_in_org")]

    def __str__(self) -> str:
        return self.name


class BoardRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice_chair", "Vice-chair"
    MEMBER = "member", "Member"
    OFFICER = "officer", "Officer in attendance"


class BoardMember(TrackedModel):
    """A member of a board: a councillor or officer, who may or may not sign in to CareStat."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="members")
    name = models.CharField(max_length=200)
    role = models.CharField("role on the board", max_length=12, choices=BoardRole.choices, default=BoardRole.MEMBER)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    is_archived = models.BooleanField("left the board", default=False)
    objects = scoped()

    class Meta:
        ordering = ["role", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display().lower()})"


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    MINUTES_APPROVED = "minutes_approved", "Minutes approved"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(Versioned, TrackedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="meetings")
    date = models.DateField()
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    minutes_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    minutes_approved_at = models.DateTimeField(null=True, blank=True)
    objects = scoped()

    class Meta:
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return f"{self.board.name}, {self.date:%-d %B %Y}"

    @property
    def is_frozen(self) -> bool:
        """Approved minutes are the record: the agenda, minutes and decisions no longer change."""
        return self.status == MeetingStatus.MINUTES_APPROVED


class ForwardStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    SCHEDULED = "scheduled", "On an agenda"
    DEFERRED = "deferred", "Deferred"
    TAKEN = "taken", "Taken"


class ForwardPlanItem(TrackedModel):
    """An item the board expects to take, and when; it becomes an agenda item when scheduled."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    board = models.ForeignKey(Board, on_delete=models.PROTECT, related_name="forward_plan")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    expected = models.DateField("expected by")
    lead = models.CharField(max_length=200, blank=True)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ForwardStatus.choices, default=ForwardStatus.PLANNED)
    objects = scoped()

    class Meta:
        ordering = ["expected", "pk"]

    def __str__(self) -> str:
        return self.title


class AgendaItem(TrackedModel):
    """One item of business; its paper may be a CareStat report, plan or measure page."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    presenter = models.CharField(max_length=200, blank=True)
    is_public = models.BooleanField("taken in public", default=True,
                                    help_text="Exempt items stay out of the public pack.")
    report = models.ForeignKey("reports.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey("plans.Plan", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    measure = models.ForeignKey("measures.Measure", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    minutes = models.TextField(blank=True)
    objects = scoped()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Attendance(models.TextChoices):
    PRESENT = "present", "Present"
    APOLOGIES = "apologies", "Apologies"
    ABSENT = "absent", "Absent"


class MeetingAttendance(TrackedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(BoardMember, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Attendance.choices)
    objects = scoped()

    class Meta:
        ordering = ["member__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member")]

    def __str__(self) -> str:
        return f"{self.member.name}: {self.status}"


class DecisionKind(models.TextChoices):
    DECISION = "decision", "Decision"
    RESOLUTION = "resolution", "Resolution"
    NOTED = "noted", "Noted"


class Decision(TrackedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=10, choices=DecisionKind.choices, default=DecisionKind.DECISION)
    text = models.TextField()
    objects = scoped()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:100]}"


class Source(models.TextChoices):
    EXTERNAL_AUDITOR = "external_auditor", "External auditor"
    INTERNAL_AUDIT = "internal_audit", "Internal audit"
    PEER_CHALLENGE = "peer_challenge", "Peer challenge"
    OFSTED = "ofsted", "Inspection: Ofsted"
    CQC = "cqc", "Inspection: CQC"
    CIW = "ciw", "Inspection: Care Inspectorate Wales"
    JCC = "jcc", "Inspection: Jersey Care Commission"
    SCRUTINY = "scrutiny", "Scrutiny resolution"
    COMMITTEE = "committee", "Committee decision"


class RecPriority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Response(models.TextChoices):
    PENDING = "pending", "Response not yet agreed"
    ACCEPTED = "accepted", "Accepted"
    PARTLY = "partly", "Partly accepted"
    REJECTED = "rejected", "Not accepted"


class RecStatus(models.TextChoices):
    OPEN = rules.OPEN, "Open"
    IN_PROGRESS = rules.IN_PROGRESS, "In progress"
    IMPLEMENTED = rules.IMPLEMENTED, "Implemented"
    CLOSED = rules.CLOSED, "Verified closed"
    NOT_ACCEPTED = rules.NOT_ACCEPTED, "Not accepted"


class Recommendation(Versioned, TrackedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=20, choices=Source.choices)
    source_document = models.CharField(max_length=300)
    reference = models.CharField(max_length=40, help_text="Such as ‘R1’ or ‘2026/07’; unique in its document.")
    raised_on = models.DateField("date raised")
    text = models.TextField("recommendation")
    priority = models.CharField(max_length=10, choices=RecPriority.choices, default=RecPriority.MEDIUM)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    board = models.ForeignKey(Board, null=True, blank=True, on_delete=models.PROTECT, related_name="recommendations",
                              help_text="The board that monitors it and decides extensions.")
    response = models.CharField(max_length=10, choices=Response.choices, default=Response.PENDING)
    agreed_response = models.TextField(blank=True)
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=RecStatus.choices, default=RecStatus.OPEN)
    status_reason = models.TextField(blank=True, help_text="Why not accepted, or the latest change's reason.")
    evidence = models.TextField(blank=True, help_text="What shows it is done: one link or document per line.")
    decision = models.ForeignKey(Decision, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="recommendations", help_text="The decision that raised it, if any.")
    answer_meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                       help_text="The meeting where the answer is to be given.")
    actions = models.ManyToManyField("plans.Action", blank=True, related_name="recommendations")
    implemented_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    objects = scoped()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "source_document", "reference"],
                                               name="recommendation_reference_unique_in_document")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.text[:80]}"

    def is_overdue(self, today: dt.date) -> bool:
        return rules.is_overdue(self.status, self.due_date, today)


class StatusChange(models.Model):
    """One change of a recommendation's status, with its reason. Never changed afterwards."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="status_changes")
    old_status = models.CharField(max_length=12, choices=RecStatus.choices)
    new_status = models.CharField(max_length=12, choices=RecStatus.choices)
    on = models.DateField("effective")
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField()
    objects = scoped()

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.recommendation.reference}: {self.old_status} to {self.new_status} on {self.on}"


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class Extension(TrackedModel):
    """A request to move a recommendation's due date, decided by a manager for its board."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="extensions")
    old_due_date = models.DateField()
    new_due_date = models.DateField()
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.REQUESTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                help_text="The meeting where the board decided it, if any.")
    objects = scoped()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Extension of {self.recommendation.reference} to {self.new_due_date} ({self.status})"
