"""Future need: population projections, needs with their prevalence rates (each with a source and
year), children's scenarios, and saved projections (results frozen as JSON with the assumptions
they rest on, so a projection reads the same whatever changes later).

The arithmetic is carestat.analytics.demand; nothing here computes."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from carestat.core.models import Organisation, TrackedModel
from carestat.core.tenancy import scoped

MONEY = {"max_digits": 14, "decimal_places": 2}


class PopulationProjection(models.Model):
    """One population projection file loaded (the national statistics office's sub-national
    projection layout, or an island's own in the same layout). Loading the same file twice
    changes nothing (its hash); the latest loaded is the one projections use."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200, help_text="What the projection is, e.g. ONS 2022-based SNPP.")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()
    first_year = models.PositiveSmallIntegerField()
    last_year = models.PositiveSmallIntegerField()
    total_first_year = models.BigIntegerField(help_text="People in the file's first year, all ages.")
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    loaded_at = models.DateTimeField()
    objects = scoped()

    class Meta:
        ordering = ["-loaded_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "sha256"], name="population_file_once")]

    def __str__(self) -> str:
        return f"{self.name} ({self.first_year} to {self.last_year})"


class PopulationFigure(models.Model):
    """People of one sex in one age band in one year, as the file gave them."""

    projection = models.ForeignKey(PopulationProjection, on_delete=models.CASCADE, related_name="figures")
    area = models.CharField(max_length=40)
    sex = models.CharField(max_length=8)
    age_from = models.PositiveSmallIntegerField()
    age_to = models.PositiveSmallIntegerField(help_text="200 for an open-ended band such as 90 and over.")
    year = models.PositiveSmallIntegerField()
    population = models.FloatField()
    objects = scoped("projection__organisation")

    class Meta:
        ordering = ["year", "sex", "age_from"]

    def __str__(self) -> str:
        return f"{self.year} {self.sex} {self.age_from}-{self.age_to}: {self.population:,.0f}"


class Need(TrackedModel):
    """A need or condition projected from prevalence (unable to manage at least one self-care
    activity, dementia, ...), the client level data's primary support reason that counts the
    council's long-term support users for it, and the unit cost a year of that support."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    support_reason = models.CharField(
        "CLD primary support reason", max_length=100, blank=True,
        help_text="Long-term support users with this primary support reason are the service users for this need.")
    unit_cost = models.DecimalField("unit cost a year", null=True, blank=True, **MONEY)
    base_year = models.CharField(max_length=7, blank=True, help_text="The financial year of the unit cost.")
    inflation_percent = models.DecimalField("inflation (% a year)", max_digits=5, decimal_places=2, default=0)
    cost_source = models.CharField(max_length=300, blank=True)
    objects = scoped()

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="need_code_unique_in_org")]

    def __str__(self) -> str:
        return self.name


class PrevalenceRate(TrackedModel):
    """The share of people of a sex in an age band with a need, with its source and year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="rates")
    age_band = models.CharField(max_length=20)
    sex = models.CharField(max_length=8)
    rate = models.DecimalField(max_digits=8, decimal_places=6)
    source = models.CharField(max_length=300)
    source_year = models.PositiveSmallIntegerField(null=True, blank=True)
    objects = scoped()

    class Meta:
        ordering = ["need__code", "sex", "age_band"]
        constraints = [models.UniqueConstraint(fields=["need", "age_band", "sex"], name="one_rate_per_band_sex")]

    def __str__(self) -> str:
        return f"{self.need.name}, {self.sex} {self.age_band}: {self.rate}"


class Scenario(TrackedModel):
    """A what-if for the children's model: entries to care up or down, or children stepping down
    from one placement to another. One scenario may be named for the committee report."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    changes = models.JSONField(default=list, help_text="[{kind, percent, band, placement | from, to}]")
    in_report = models.BooleanField("named in the committee report", default=False)
    is_archived = models.BooleanField(default=False)
    objects = scoped()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="demand_scenario_name_unique_in_org"),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectionKind(models.TextChoices):
    ADULTS = "adults", "Adults' needs"
    CHILDREN = "children", "Children's care demand"
    BACKTEST = "backtest", "Backtest of the children's model"


class Projection(models.Model):
    """A projection as it was made: its results and the assumptions behind them, frozen."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=ProjectionKind.choices)
    title = models.CharField(max_length=300)
    scenario = models.ForeignKey(Scenario, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assumptions = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField()
    objects = scoped()

    class Meta:
        ordering = ["-made_at", "-pk"]

    def __str__(self) -> str:
        return self.title
