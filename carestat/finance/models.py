"""Money: service lines with cost codes, medium-term financial plans, approved budgets per year,
actuals and forecast outturn per month or quarter, variance commentary, the savings programme,
and the organisation's financial RAG tolerances and ledger column names.

Variances and RAG are derived (carestat.analytics.finance), never stored. Every model carries a
direct ``organisation`` so tenancy can be enforced on each of them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from carestat.analytics import finance as calc
from carestat.core.models import Organisation, ReportingPeriod, TrackedModel, Unit
from carestat.core.tenancy import scoped

MONEY = {"max_digits": 14, "decimal_places": 2}


class FinanceRagChoice(models.TextChoices):
    RED = calc.FinanceRag.RED.value, "Red"
    AMBER = calc.FinanceRag.AMBER.value, "Amber"
    GREEN = calc.FinanceRag.GREEN.value, "Green"


class FinanceSettings(TrackedModel):
    """The organisation's financial RAG tolerances and the column names of its ledger extract,
    set once and used by every import."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="finance_settings")
    amber_from_percent = models.DecimalField(
        "amber from (% overspend)", max_digits=5, decimal_places=2, default=calc.DEFAULT_TOLERANCES.amber_from,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="An overspend above this percentage of budget is amber.")
    red_from_percent = models.DecimalField(
        "red from (% overspend)", max_digits=5, decimal_places=2, default=calc.DEFAULT_TOLERANCES.red_from,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="An overspend above this percentage of budget is red.")
    cost_code_column = models.CharField("cost code column", max_length=100, default="Cost code")
    period_column = models.CharField("period column", max_length=100, default="Period")
    budget_column = models.CharField("budget column", max_length=100, default="Budget")
    actual_column = models.CharField("actual column", max_length=100, default="Actual")
    forecast_column = models.CharField("forecast column", max_length=100, default="Forecast")
    report_scenario = models.ForeignKey(
        "Scenario", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name="scenario the committee report names",
        help_text="The report's money section shows this scenario's effect on each year beside the base case.")
    objects = scoped()

    class Meta:
        verbose_name_plural = "finance settings"

    def __str__(self) -> str:
        return f"Finance settings for {self.organisation}"

    def tolerances(self) -> calc.Tolerances:
        return calc.Tolerances(self.amber_from_percent, self.red_from_percent)

    def columns(self) -> dict[str, str]:
        return {"cost_code": self.cost_code_column, "period": self.period_column, "budget": self.budget_column,
                "actual": self.actual_column, "forecast": self.forecast_column}


def settings_for(org: Organisation) -> FinanceSettings:
    """The organisation's settings, or the defaults (unsaved) if it has never set them."""
    return FinanceSettings.objects.filter(organisation=org).first() or FinanceSettings(organisation=org)


class ServiceLine(TrackedModel):
    """A budget line: a node of a tree that follows the organisation's units, with the cost
    code its ledger uses. Lines are archived, never deleted."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="service_lines")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    cost_code = models.CharField(max_length=40)
    position = models.PositiveIntegerField(default=0)
    is_archived = models.BooleanField(default=False)
    objects = scoped()

    class Meta:
        ordering = ["position", "cost_code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "cost_code"], name="cost_code_unique_in_org"),
        ]

    def __str__(self) -> str:
        return f"{self.cost_code} {self.name}"

    def ancestors(self) -> list[ServiceLine]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]


class MediumTermPlan(TrackedModel):
    """A medium-term financial plan: 3 to 5 financial years, optionally the money side of a plan."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="medium_term_plans")
    title = models.CharField(max_length=200)
    first_year = models.CharField(max_length=7, help_text="A financial year such as 2025-26.")
    years = models.PositiveSmallIntegerField(validators=[MinValueValidator(3), MaxValueValidator(5)])
    plan = models.ForeignKey("plans.Plan", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    is_archived = models.BooleanField(default=False)
    objects = scoped()

    class Meta:
        ordering = ["first_year", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "title"], name="mtp_title_unique_in_org"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def year_labels(self) -> list[str]:
        first = int(self.first_year[:4])
        return [f"{y}-{(y + 1) % 100:02d}" for y in range(first, first + self.years)]


class Budget(TrackedModel):
    """The approved budget of one line for one financial year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(ServiceLine, on_delete=models.PROTECT, related_name="budgets")
    year = models.CharField(max_length=7)
    amount = models.DecimalField(**MONEY)
    objects = scoped()

    class Meta:
        ordering = ["year", "line__position", "line__cost_code"]
        constraints = [models.UniqueConstraint(fields=["line", "year"], name="one_budget_per_line_year")]

    def __str__(self) -> str:
        return f"{self.line} {self.year}: {calc.format_money(self.amount)}"


class PeriodFigure(TrackedModel):
    """What the ledger says for one line in one month or quarter: the actual spend in the
    period, and the forecast outturn for the whole financial year as it stood at the period's end."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(ServiceLine, on_delete=models.PROTECT, related_name="figures")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    actual = models.DecimalField(null=True, blank=True, **MONEY)
    forecast = models.DecimalField("forecast outturn", null=True, blank=True, **MONEY)
    objects = scoped()

    class Meta:
        ordering = ["period__start", "line__position", "line__cost_code"]
        constraints = [models.UniqueConstraint(fields=["line", "period"], name="one_figure_per_line_period")]

    def __str__(self) -> str:
        return f"{self.line} {self.period.identifier}"


class VarianceComment(TrackedModel):
    """Commentary on a line's variance in one period: why, and what is being done about it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey(ServiceLine, on_delete=models.PROTECT, related_name="comments")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    objects = scoped()

    class Meta:
        ordering = ["-period__start", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.line} {self.period.identifier}: {self.text[:60]}"


class LedgerImport(models.Model):
    """One ledger extract loaded; its hash makes loading the same file again change nothing."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    changed = models.PositiveIntegerField(help_text="Budgets and period figures the import set or changed.")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField()
    objects = scoped()

    class Meta:
        ordering = ["-imported_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "sha256"], name="ledger_file_once")]

    def __str__(self) -> str:
        return f"{self.filename} ({self.rows} rows)"


class SavingStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    APPROVED = "approved", "Approved"
    DELIVERING = "delivering", "Delivering"
    DELIVERED = "delivered", "Delivered"
    AT_RISK = "at_risk", "At risk"
    WRITTEN_OFF = "written_off", "Written off"


class SavingsProposal(TrackedModel):
    """A saving in the savings programme, delivered by a plan action."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="savings")
    reference = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    line = models.ForeignKey(ServiceLine, null=True, blank=True, on_delete=models.PROTECT, related_name="savings")
    action = models.ForeignKey("plans.Action", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="savings", help_text="The plan action that delivers the saving.")
    risk = models.ForeignKey("risks.Risk", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             help_text="The risk to the saving's delivery, in the risk register.")
    deliverability = models.CharField("deliverability RAG", max_length=10, choices=FinanceRagChoice.choices,
                                      default=FinanceRagChoice.AMBER)
    status = models.CharField(max_length=12, choices=SavingStatus.choices, default=SavingStatus.PROPOSED)
    is_archived = models.BooleanField(default=False)
    objects = scoped()

    class Meta:
        ordering = ["reference", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "reference"], name="saving_ref_unique_in_org"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class SavingsTarget(TrackedModel):
    """A saving's target for one financial year, and how much of it has been delivered to date."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey(SavingsProposal, on_delete=models.PROTECT, related_name="targets")
    year = models.CharField(max_length=7)
    target = models.DecimalField(**MONEY)
    delivered = models.DecimalField("delivered to date", default=Decimal("0"), **MONEY)
    objects = scoped()

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["proposal", "year"], name="one_target_per_saving_year")]

    def __str__(self) -> str:
        return f"{self.proposal.reference} {self.year}"


class ActivitySource(models.TextChoices):
    """Where a cost driver's activity comes from: children looked after at the latest SSDA903
    year end in a placement group, counted as the measure LAC-COUNT counts them; or adults
    receiving long-term support at the latest client level data year end in a setting, counted
    as ASCOF's long-term support measures count them; or the planned hours a week of home care
    at that year end, as the measure ASC-HOMECARE-HOURS sums them (costed an hour, not a year)."""

    RESIDENTIAL = calc.PlacementGroup.RESIDENTIAL.value, "Children in residential placements (SSDA903)"
    FOSTERING = calc.PlacementGroup.FOSTERING.value, "Children in foster placements (SSDA903)"
    SUPPORTED = calc.PlacementGroup.SUPPORTED.value, "Young people in supported or independent living (SSDA903)"
    WITH_PARENTS = calc.PlacementGroup.WITH_PARENTS.value, "Children placed with parents (SSDA903)"
    ADOPTION = calc.PlacementGroup.ADOPTION.value, "Children placed for adoption (SSDA903)"
    OTHER = calc.PlacementGroup.OTHER.value, "Children in other placements (SSDA903)"
    ADULTS_RESIDENTIAL = calc.AdultSetting.RESIDENTIAL.value, "Adults in residential care (client level data)"
    ADULTS_NURSING = calc.AdultSetting.NURSING.value, "Adults in nursing care (client level data)"
    ADULTS_COMMUNITY = calc.AdultSetting.COMMUNITY.value, \
        "Adults with long-term support in the community (client level data)"
    HOME_CARE_HOURS = calc.HOME_CARE_HOURS, "Planned hours of home care a week (client level data)"


class CostDriver(TrackedModel):
    """A line's cost model: its activity (from the case data) times a unit cost a year, which
    rises by inflation from its base year; and the volume its budget assumed. For hours of home
    care the activity is hours a week and the unit cost an hour's: a year is 365/7 weeks."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    line = models.OneToOneField(ServiceLine, on_delete=models.PROTECT, related_name="driver")
    activity = models.CharField(max_length=20, choices=ActivitySource.choices)
    base_year = models.CharField(max_length=7)
    unit_cost = models.DecimalField("unit cost a year", **MONEY)
    inflation_percent = models.DecimalField("inflation (% a year)", max_digits=5, decimal_places=2,
                                            default=Decimal("0"))
    budget_volume = models.DecimalField("volume the budget assumed", max_digits=10, decimal_places=2,
                                        null=True, blank=True)
    objects = scoped()

    def __str__(self) -> str:
        return f"Cost model of {self.line}"

    @property
    def is_hourly(self) -> bool:
        """Whether its activity is hours a week and its unit cost is an hour's (not a year's)."""
        return self.activity == calc.HOME_CARE_HOURS

    @property
    def per_year(self) -> Decimal:
        """Units of unit cost in a year for each unit of activity: weeks for hours a week."""
        return calc.WEEKS_A_YEAR if self.is_hourly else Decimal(1)

    def driver(self, volume) -> calc.Driver:
        return calc.Driver(self.line.cost_code, Decimal(volume), self.unit_cost, self.base_year,
                           self.inflation_percent, self.budget_volume, self.per_year)


class Scenario(TrackedModel):
    """A saved what-if: changes to volumes, unit costs or inflation, compared side by side."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    changes = models.JSONField(default=list, help_text="[{cost_code, kind, amount, start}]")
    is_archived = models.BooleanField(default=False)
    objects = scoped()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="scenario_name_unique_in_org")]

    def __str__(self) -> str:
        return self.name

    def as_changes(self) -> list[calc.Change]:
        return [calc.Change(c["cost_code"], calc.ChangeKind(c["kind"]), Decimal(c["amount"]), c.get("start", ""))
                for c in self.changes]
