"""Performance measures: the global catalogue, each organisation's tracked measures, their
targets, values (with provenance, approval and revisions), benchmarks and process changes.

Judgements are not stored: they are derived from approved values each time they are shown
(see services.judge), so a page, the API and the command line can never disagree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carestat.analytics.judgements.rag import compares_with_benchmarks, format_value
from carestat.analytics.periods import parse_period
from carestat.core.changes import name_of
from carestat.core.models import Organisation, TrackedModel, Unit
from carestat.core.tenancy import scoped


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
    LOWER_IS_BETTER = "lower_is_better", "Lower is better"
    NEITHER = "neither", "Neither higher nor lower is better"


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"

    @property
    def period_kind(self) -> str:
        return {"monthly": "month", "quarterly": "quarter", "annual": "year"}[self.value]

    @property
    def periods_per_year(self) -> int:
        return {"monthly": 12, "quarterly": 4, "annual": 1}[self.value]


class ToleranceKind(models.TextChoices):
    ABSOLUTE = "absolute", "In the measure's own units (points for a percentage)"
    PERCENT_OF_TARGET = "percent_of_target", "A percentage of the target"


def applies_to(jurisdictions: str, jurisdiction: str) -> bool:
    """Whether a catalogue ``jurisdictions`` value ("england,wales" or "*") covers ``jurisdiction``."""
    listed = {j.strip() for j in (jurisdictions or "").split(",") if j.strip()}
    return "*" in listed or jurisdiction in listed


class CatalogueMeasure(models.Model):
    """One row of reference/measure_catalogue.csv: global reference data, not any council's."""

    code = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=300)
    domain = models.CharField(max_length=40)
    computed_from = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=40)
    polarity = models.CharField(max_length=20, choices=Polarity.choices)
    numerator = models.TextField(blank=True)
    denominator = models.TextField(blank=True)
    period_basis = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    national_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    national_period = models.CharField(max_length=40, blank=True)
    national_source = models.TextField(blank=True)
    # Where the measure applies: jurisdiction values separated by commas ("england",
    # "england,wales"), or "*" for CareStat's own measures that apply everywhere.
    jurisdictions = models.CharField(max_length=200, default="england")
    framework = models.CharField(max_length=200, blank=True,
                                 help_text="The national framework the measure belongs to, if not England's")
    framework_group = models.CharField(max_length=300, blank=True,
                                       help_text="The framework's quality standard or well-being outcome")
    source_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["domain", "code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    def applies_to(self, jurisdiction: str) -> bool:
        """Whether an organisation in ``jurisdiction`` is offered this measure."""
        return applies_to(self.jurisdictions, jurisdiction)

    @property
    def national_geography(self) -> str:
        """Where the national value is for: the one jurisdiction a measure applies to, else England's."""
        listed = [j.strip() for j in self.jurisdictions.split(",") if j.strip()]
        if len(listed) == 1 and listed[0] != "*":
            from carestat.analytics.calendar import Jurisdiction

            try:
                return Jurisdiction(listed[0]).label
            except ValueError:
                pass
        return "England"

    @property
    def jurisdiction_labels(self) -> str:
        if self.jurisdictions.strip() == "*":
            return "Everywhere"
        from carestat.analytics.calendar import Jurisdiction

        names = []
        for j in self.jurisdictions.split(","):
            try:
                names.append(Jurisdiction(j.strip()).label)
            except ValueError:
                names.append(j.strip())
        return ", ".join(names)

    @property
    def benchmarks_compared(self) -> bool:
        """Whether benchmarks are compared with a council's value, from the unit (see
        carestat.analytics.judgements.rag.compares_with_benchmarks), or shown as context."""
        return compares_with_benchmarks(self.unit)

    def format_value(self, value) -> str:
        return "" if value is None else format_value(value, self.unit)


class Measure(TrackedModel):
    """A measure an organisation tracks: a catalogue entry it adopted, or its own local one.

    The definition is copied from the catalogue on adoption so a later catalogue edit never
    silently changes what a council has been reporting against.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="measures")
    catalogue = models.ForeignKey(CatalogueMeasure, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=300)
    domain = models.CharField(max_length=40)
    unit = models.CharField(max_length=40, help_text="percent, count, days, or words such as ‘cases per FTE’")
    polarity = models.CharField(max_length=20, choices=Polarity.choices)
    numerator_definition = models.TextField("numerator", blank=True)
    denominator_definition = models.TextField("denominator", blank=True)
    notes = models.TextField(blank=True)
    owner_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="owner")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY)
    tolerance = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    tolerance_kind = models.CharField(max_length=20, choices=ToleranceKind.choices, default=ToleranceKind.ABSOLUTE)
    is_public = models.BooleanField("public", default=False,
                                    help_text="Published: small numbers are suppressed in its public view.")
    is_archived = models.BooleanField(default=False)

    objects = scoped()

    class Meta:
        ordering = ["domain", "code"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="measure_code_unique_in_org")]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def is_local(self) -> bool:
        return self.catalogue_id is None

    @property
    def public_notes(self) -> str:
        """The notes pages, reports and the API show: the organisation's own. The catalogue's notes
        column is written for whoever keeps the catalogue ("needs more than 12 months of CLD", "no
        Wales figure was found in the sources read"); measures adopted before it stopped being
        copied still carry it, so a note equal to the catalogue's is not shown."""
        notes = (self.notes or "").strip()
        if notes and self.catalogue_id is not None and notes == (self.catalogue.notes or "").strip():
            return ""
        return notes

    @property
    def is_rate(self) -> bool:
        return self.unit != "count" and bool(self.denominator_definition)

    @property
    def benchmarks_compared(self) -> bool:
        """Whether benchmarks are compared with this measure's values or only shown as context."""
        return compares_with_benchmarks(self.unit)

    def format_value(self, value) -> str:
        """A value in this measure's unit, as pages show it: '16.2%', '13.3 per 100,000', '363'."""
        return "" if value is None else format_value(value, self.unit)

    @property
    def judgement_unit(self) -> str:
        """The unit word the judgement engine formats with ("percent", "count", "days" or words)."""
        return self.unit


class Target(TrackedModel):
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="targets")
    period = models.CharField(max_length=20)
    period_start = models.DateField(editable=False)
    value = models.DecimalField(max_digits=14, decimal_places=4)
    tolerance = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True,
                                    help_text="Blank: the measure's own tolerance.")
    tolerance_kind = models.CharField(max_length=20, choices=ToleranceKind.choices, blank=True)

    objects = scoped("measure__organisation")

    class Meta:
        ordering = ["period_start"]
        constraints = [models.UniqueConstraint(fields=["measure", "period"], name="one_target_per_period")]

    def __str__(self) -> str:
        return f"{self.measure.code} target for {self.period}"

    def save(self, *args, **kwargs):
        self.period_start = parse_period(self.period).start
        super().save(*args, **kwargs)

    @property
    def effective_tolerance(self):
        return self.measure.tolerance if self.tolerance is None else self.tolerance

    @property
    def effective_tolerance_kind(self) -> str:
        return self.tolerance_kind or self.measure.tolerance_kind


class ValueSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    IMPORT = "import", "Imported from a file"
    COMPUTED = "computed", "Computed from case data"


class ValueStatus(models.TextChoices):
    SUBMITTED = "submitted", "Awaiting approval"
    APPROVED = "approved", "Approved"


class MeasureValue(TrackedModel):
    """The current value of a measure for one period. A change makes a MeasureValueRevision
    holding what it replaced, so history is never overwritten."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="values")
    period = models.CharField(max_length=20)
    period_start = models.DateField(editable=False)
    value = models.DecimalField(max_digits=14, decimal_places=4)
    numerator = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    breakdown = models.JSONField(default=list, blank=True,
                                 help_text="[{by: {dimension: category}, value, numerator, denominator}]")
    source = models.CharField(max_length=10, choices=ValueSource.choices)
    status = models.CharField(max_length=10, choices=ValueStatus.choices)
    is_provisional = models.BooleanField("provisional", default=False)
    version = models.PositiveIntegerField(default=1)
    note = models.TextField(blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    # provenance of imported values
    import_file = models.CharField(max_length=255, blank=True)
    import_row = models.PositiveIntegerField(null=True, blank=True)
    # provenance of computed values
    submissions = models.JSONField(default=list, blank=True)
    method_version = models.CharField(max_length=40, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    # What a computation said beside the figure: records left out for errors (and why), and
    # companions such as the 90th percentile wait and the longest current wait.
    details = models.JSONField(default=dict, blank=True)

    objects = scoped("measure__organisation")

    class Meta:
        ordering = ["period_start"]
        constraints = [models.UniqueConstraint(fields=["measure", "period"], name="one_value_per_period")]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.period}"

    def save(self, *args, **kwargs):
        self.period_start = parse_period(self.period).start
        super().save(*args, **kwargs)

    @property
    def is_approved(self) -> bool:
        return self.status == ValueStatus.APPROVED

    @property
    def is_revised(self) -> bool:
        return self.version > 1

    @property
    def provenance(self) -> str:
        """Where the value came from, in words."""
        who = name_of(self.entered_by, "the system")
        if self.source == ValueSource.COMPUTED:
            subs = ", ".join(str(s) for s in self.submissions) or "no submissions recorded"
            when = self.computed_at.strftime("%-d %B %Y %H:%M") if self.computed_at else "an unknown time"
            text = (f"Computed from case data by method version {self.method_version or 'unknown'} "
                    f"at {when}, from submissions {subs}" + (f"; run by {who}" if self.entered_by else ""))
            excluded = (self.details or {}).get("excluded_records")
            if excluded:
                reasons = ", ".join(f"rule {rule}: {n}" for rule, n in
                                    (self.details.get("exclusion_reasons") or {}).items())
                were = "record was left out because it" if excluded == 1 else "records were left out because they"
                text += f"; {excluded} {were} had errors ({reasons})"
            return text
        if self.source == ValueSource.IMPORT:
            text = f"Imported by {who} from {self.import_file}, row {self.import_row}"
        else:
            text = f"Entered by hand by {who}"
        if self.approved_by:
            text += f"; approved by {self.approved_by.display_name}"
        elif not self.is_approved:
            text += "; awaiting a manager's approval"
        return text


class MeasureValueRevision(models.Model):
    """A value as it was before a revision replaced it."""

    current = models.ForeignKey(MeasureValue, on_delete=models.PROTECT, related_name="revisions")
    version = models.PositiveIntegerField()
    value = models.DecimalField(max_digits=14, decimal_places=4)
    numerator = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    source = models.CharField(max_length=10, choices=ValueSource.choices)
    status = models.CharField(max_length=10, choices=ValueStatus.choices)
    is_provisional = models.BooleanField(default=False)
    provenance = models.TextField()
    replaced_at = models.DateTimeField()
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reason = models.TextField(blank=True)

    objects = scoped("current__measure__organisation")

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["current", "version"], name="one_revision_per_version")]

    def __str__(self) -> str:
        return f"{self.current} version {self.version}"


class RevisionStatus(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn: a later computation replaced it"


class PendingRevision(models.Model):
    """A recomputed figure that would replace an approved value, held until a manager
    approves it (then it becomes the value, the old one going to MeasureValueRevision) or
    rejects it. Until then every page, report and judgement keeps the approved figure."""

    current = models.ForeignKey(MeasureValue, on_delete=models.PROTECT, related_name="pending_revisions")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    numerator = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    breakdown = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    submissions = models.JSONField(default=list, blank=True)
    method_version = models.CharField(max_length=40, blank=True)
    computed_at = models.DateTimeField()
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    # The approved figure it would replace, as it stood when this was computed.
    replaces_value = models.DecimalField(max_digits=14, decimal_places=4)
    replaces_version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=RevisionStatus.choices, default=RevisionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    objects = scoped("current__measure__organisation")

    class Meta:
        ordering = ["-computed_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["current"], condition=models.Q(status="pending"),
                                               name="one_pending_revision_per_value")]

    def __str__(self) -> str:
        return f"Recomputed {self.current.measure.code} for {self.current.period}"


class BenchmarkKind(models.TextChoices):
    NATIONAL = "national", "National"
    REGIONAL = "regional", "Regional"
    COMPARATOR = "comparator", "Comparator group (e.g. statistical neighbours)"


class MeasureBenchmark(TrackedModel):
    """A regional, comparator-group or national figure an organisation entered, with its source."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="benchmarks")
    kind = models.CharField(max_length=20, choices=BenchmarkKind.choices)
    name = models.CharField(max_length=120, blank=True, help_text="e.g. ‘North West’ or ‘statistical neighbours’")
    value = models.DecimalField(max_digits=14, decimal_places=4)
    source = models.CharField(max_length=300)
    year = models.CharField(max_length=20, help_text="The period the benchmark describes, e.g. 2024-25")

    objects = scoped("measure__organisation")

    class Meta:
        ordering = ["kind", "-year"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} benchmark for {self.measure.code} ({self.year})"


class ProcessChange(TrackedModel):
    """A change in how the work is done, from which SPC limits are recalculated."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="process_changes")
    starts_on = models.DateField("date of the change")
    reason = models.TextField()

    objects = scoped("measure__organisation")

    class Meta:
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return f"Process change to {self.measure.code} from {self.starts_on:%-d %B %Y}"


class MeasureObjective(TrackedModel):
    """A measure of success for a plan objective (both of the same organisation)."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="objective_links")
    objective = models.ForeignKey("plans.Objective", on_delete=models.PROTECT, related_name="measure_links")

    objects = scoped("measure__organisation")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["measure", "objective"], name="link_measure_objective_once")]

    def __str__(self) -> str:
        return f"{self.measure.code} measures ‘{self.objective}’"
