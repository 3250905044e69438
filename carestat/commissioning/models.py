"""Commissioning: the providers the council buys care from, its contracts register, the payments
it made (its published spend file), the quality ratings of providers' locations, and the column
names of its files, set once.

The market map (spend and value by sector, the VCSE share, concentration, the pipeline) is
derived by carestat.analytics.commissioning, never stored. Every model carries a direct
``organisation`` so tenancy is enforced on each."""

from __future__ import annotations

from django.db import models

from carestat.analytics import commissioning as calc
from carestat.core.models import Organisation, TrackedModel, Unit
from carestat.core.tenancy import scoped

MONEY = {"max_digits": 14, "decimal_places": 2}


class SectorChoice(models.TextChoices):
    PUBLIC = calc.Sector.PUBLIC.value, calc.SECTOR_LABELS[calc.Sector.PUBLIC]
    PRIVATE = calc.Sector.PRIVATE.value, calc.SECTOR_LABELS[calc.Sector.PRIVATE]
    CHARITY = calc.Sector.CHARITY.value, calc.SECTOR_LABELS[calc.Sector.CHARITY]
    CIC = calc.Sector.CIC.value, calc.SECTOR_LABELS[calc.Sector.CIC]
    SOCIAL_ENTERPRISE = calc.Sector.SOCIAL_ENTERPRISE.value, calc.SECTOR_LABELS[calc.Sector.SOCIAL_ENTERPRISE]
    MUTUAL = calc.Sector.MUTUAL.value, calc.SECTOR_LABELS[calc.Sector.MUTUAL]


ServiceTypeChoice = models.TextChoices(
    "ServiceTypeChoice", [(s.name, (s.value, calc.SERVICE_LABELS[s])) for s in calc.ServiceType])


class SizeBand(models.TextChoices):
    MICRO = "micro", "Micro (fewer than 10 staff)"
    SMALL = "small", "Small (10 to 49 staff)"
    MEDIUM = "medium", "Medium (50 to 249 staff)"
    LARGE = "large", "Large (250 staff or more)"
    UNKNOWN = "", "Not known"


class FundingSource(models.TextChoices):
    COUNCIL = "council", "Council"
    POOLED = "pooled", "Pooled budget (Better Care Fund or section 75)"
    GRANT = "grant", "Grant"
    HEALTH = "health", "Health (NHS)"


class ProcurementRoute(models.TextChoices):
    OPEN = "open", "Open tender"
    RESTRICTED = "restricted", "Restricted tender"
    FRAMEWORK = "framework", "Framework call-off"
    DPS = "dps", "Dynamic purchasing system"
    DIRECT = "direct", "Direct award"
    GRANT = "grant", "Grant agreement"
    SPOT = "spot", "Spot purchase"
    OTHER = "other", "Other"


RatingChoice = models.TextChoices("RatingChoice", [(r.name, (r.value, calc.RATING_LABELS[r])) for r in calc.Rating])

DEFAULT_CONTRACT_COLUMNS = {
    "reference": "Reference", "title": "Title", "provider": "Supplier", "registration": "Supplier number",
    "service_type": "Service type", "lead_unit": "Lead unit", "start": "Start date", "end": "End date",
    "extension": "Extension options", "annual_value": "Annual value", "total_value": "Total value",
    "funding_source": "Funding source", "procurement_route": "Procurement route",
    "sensitive": "Commercially sensitive",
}
CONTRACT_REQUIRED = ("reference", "title", "provider", "service_type", "start", "end", "annual_value", "total_value")
DEFAULT_PAYMENT_COLUMNS = {
    "supplier": "Supplier", "registration": "Supplier number", "date": "Payment date", "amount": "Amount",
    "cost_code": "Cost code", "service_type": "Service type",
}


class CommissioningSettings(TrackedModel):
    """The column names of the organisation's contracts register and payments file, set once and
    used by every import (the finance ledger's mapping is the model)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.PROTECT, related_name="commissioning_settings")
    contract_columns = models.JSONField(default=dict)
    payment_columns = models.JSONField(default=dict)
    objects = scoped()

    class Meta:
        verbose_name_plural = "commissioning settings"

    def __str__(self) -> str:
        return f"Commissioning settings for {self.organisation}"

    def contracts(self) -> dict[str, str]:
        return {**DEFAULT_CONTRACT_COLUMNS, **(self.contract_columns or {})}

    def payments(self) -> dict[str, str]:
        return {**DEFAULT_PAYMENT_COLUMNS, **(self.payment_columns or {})}


def settings_for(org) -> CommissioningSettings:
    return CommissioningSettings.objects.filter(organisation=org).first() or CommissioningSettings(organisation=org)


class Provider(TrackedModel):
    """An organisation the council buys care from. A provider merged into another is kept
    (``merged_into``) so the audit trail still names it; lists leave it out."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="providers")
    name = models.CharField(max_length=200)
    normalised_name = models.CharField(max_length=200, db_index=True, editable=False)
    sector = models.CharField(max_length=20, choices=SectorChoice.choices)
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    location_ids = models.JSONField(default=list, blank=True,
                                    help_text="The regulator's location ids (CQC 1-123456789; Care Inspectorate)")
    size_band = models.CharField(max_length=10, choices=SizeBand.choices, blank=True)
    services = models.JSONField(default=list, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    objects = scoped()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_vcse(self) -> bool:
        return calc.Sector(self.sector).is_vcse

    def numbers(self) -> list[str]:
        out = [calc.normalise_company(self.company_number)] if self.company_number else []
        if self.charity_number:
            out.append(calc.normalise_number(self.charity_number))
        return out + [calc.normalise_number(x) for x in self.location_ids or []]

    def service_labels(self) -> list[str]:
        return [calc.SERVICE_LABELS.get(calc.ServiceType(s), s) for s in self.services or []
                if s in calc.ServiceType._value2member_map_]


class Contract(TrackedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(max_length=60)
    title = models.CharField(max_length=300)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="contracts")
    service_type = models.CharField(max_length=30, choices=ServiceTypeChoice.choices)
    lead_unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    start = models.DateField()
    end = models.DateField()
    extension = models.CharField("extension options", max_length=200, blank=True)
    annual_value = models.DecimalField(**MONEY)
    total_value = models.DecimalField(**MONEY)
    funding_source = models.CharField(max_length=20, choices=FundingSource.choices, default=FundingSource.COUNCIL)
    procurement_route = models.CharField(max_length=20, choices=ProcurementRoute.choices, blank=True)
    commercially_sensitive = models.BooleanField(default=False)
    source = models.CharField(max_length=255, blank=True, help_text="The register file it was imported from")
    objects = scoped()

    class Meta:
        ordering = ["end", "reference"]
        constraints = [models.UniqueConstraint(fields=["organisation", "reference"], name="contract_reference_unique")]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def fact(self) -> calc.ContractFact:
        return calc.ContractFact(self.pk, self.reference, self.title, self.provider_id, self.service_type, self.start,
                                 self.end, self.annual_value, self.total_value, self.commercially_sensitive,
                                 self.extension)


class ImportKind(models.TextChoices):
    PROVIDERS = "providers", "Providers"
    CONTRACTS = "contracts", "Contracts register"
    PAYMENTS = "payments", "Payments (spend)"
    RATINGS = "ratings", "Quality ratings"


class CommissioningImport(TrackedModel):
    """One loaded file: the same file (by its SHA-256) again changes nothing."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    total = models.DecimalField(null=True, blank=True, **MONEY)
    imported_at = models.DateTimeField()
    objects = scoped()

    class Meta:
        ordering = ["-imported_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["organisation", "kind", "sha256"],
                                               name="commissioning_file_once")]

    def __str__(self) -> str:
        return self.filename


class Payment(models.Model):
    """One row of a payments file. ``provider`` is who it was matched to (blank: unmatched, in
    the queue for a manager); ``supplier_key`` is the supplier's normalised name the queue groups by."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey(CommissioningImport, on_delete=models.PROTECT, related_name="payments")
    row = models.PositiveIntegerField()
    supplier = models.CharField(max_length=200)
    supplier_key = models.CharField(max_length=200, db_index=True)
    registration = models.CharField(max_length=40, blank=True)
    date = models.DateField()
    year = models.CharField(max_length=7)
    amount = models.DecimalField(**MONEY)
    cost_code = models.CharField(max_length=40, blank=True)
    service_type = models.CharField(max_length=30, blank=True)
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    matched_by = models.CharField(max_length=10, blank=True)  # number, name, alias or manager
    objects = scoped()

    class Meta:
        ordering = ["source", "row"]
        indexes = [models.Index(fields=["organisation", "year", "provider"])]

    def __str__(self) -> str:
        return f"{self.supplier} {self.date} {self.amount}"


class SupplierAlias(TrackedModel):
    """A supplier name (normalised) a manager matched to a provider once; later files match it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    supplier_key = models.CharField(max_length=200)
    supplier = models.CharField(max_length=200, help_text="The name as the file spelt it")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="aliases")
    objects = scoped()

    class Meta:
        ordering = ["supplier_key"]
        constraints = [models.UniqueConstraint(fields=["organisation", "supplier_key"], name="supplier_alias_once")]

    def __str__(self) -> str:
        return f"{self.supplier} = {self.provider}"


class QualityRating(TrackedModel):
    """A regulator's rating of one of a provider's locations on a date."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="ratings")
    location = models.CharField(max_length=200)
    rating = models.CharField(max_length=30, choices=RatingChoice.choices)
    date = models.DateField()
    objects = scoped()

    class Meta:
        ordering = ["-date", "location"]
        constraints = [models.UniqueConstraint(fields=["organisation", "provider", "location", "date"],
                                               name="rating_once_a_day")]

    def __str__(self) -> str:
        return f"{self.location}: {self.get_rating_display()} ({self.date})"

    @property
    def is_poor(self) -> bool:
        return calc.Rating(self.rating).is_poor
