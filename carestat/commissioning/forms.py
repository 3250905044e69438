"""Commissioning forms: text in, checked by the services (which hold the rules), errors shown by field."""

from __future__ import annotations

from django import forms

from carestat.analytics import commissioning as calc
from carestat.commissioning.models import (
    CONTRACT_REQUIRED,
    DEFAULT_CONTRACT_COLUMNS,
    DEFAULT_PAYMENT_COLUMNS,
    ImportKind,
    Provider,
    SectorChoice,
    SizeBand,
)

CONTRACT_LABELS = {
    "reference": "Reference column", "title": "Title column", "provider": "Supplier (provider) column",
    "registration": "Supplier registration number column", "service_type": "Service type column",
    "lead_unit": "Lead unit column", "start": "Start date column", "end": "End date column",
    "extension": "Extension options column", "annual_value": "Annual value column",
    "total_value": "Total value column", "funding_source": "Funding source column",
    "procurement_route": "Procurement route column", "sensitive": "Commercially sensitive column",
}
PAYMENT_LABELS = {
    "supplier": "Supplier column", "registration": "Supplier registration number column",
    "date": "Payment date column", "amount": "Amount column", "cost_code": "Cost code column",
    "service_type": "Service type column",
}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=ImportKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose what the file holds"})
    file = forms.FileField(label="CSV file (UTF-8)", error_messages={"required": "Choose the file to import"})


class SettingsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key in DEFAULT_CONTRACT_COLUMNS:
            self.fields[f"contract_{key}"] = forms.CharField(
                label=f"Contracts register: {CONTRACT_LABELS[key].lower()}", max_length=100,
                required=key in CONTRACT_REQUIRED, error_messages={"required": "Enter the column's name"})
        for key in DEFAULT_PAYMENT_COLUMNS:
            self.fields[f"payment_{key}"] = forms.CharField(
                label=f"Payments file: {PAYMENT_LABELS[key].lower()}", max_length=100,
                required=key in calc.PAYMENT_REQUIRED, error_messages={"required": "Enter the column's name"})

    def columns(self) -> dict:
        d = self.cleaned_data
        return {"contract_columns": {k: d.get(f"contract_{k}", "") for k in DEFAULT_CONTRACT_COLUMNS},
                "payment_columns": {k: d.get(f"payment_{k}", "") for k in DEFAULT_PAYMENT_COLUMNS}}


SERVICE_CHOICES = [(s.value, calc.SERVICE_LABELS[s]) for s in calc.ServiceType]


class ProviderForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the provider's name"})
    sector = forms.ChoiceField(label="Sector", choices=[("", "Choose a sector")] + SectorChoice.choices,
                               error_messages={"required": "Choose the provider's sector"})
    charity_number = forms.CharField(label="Charity number", max_length=20, required=False)
    company_number = forms.CharField(label="Company number", max_length=20, required=False)
    location_ids = forms.CharField(label="Regulator location ids", max_length=400, required=False,
                                   help_text="Separated by semicolons, such as 1-101;1-102.")
    size_band = forms.ChoiceField(label="Size band", choices=SizeBand.choices, required=False)
    services = forms.MultipleChoiceField(label="Services provided", choices=SERVICE_CHOICES, required=False,
                                         widget=forms.CheckboxSelectMultiple)

    def values(self) -> dict:
        d = dict(self.cleaned_data)
        d["location_ids"] = [x for x in (d.get("location_ids") or "").split(";") if x.strip()]
        return d


class MergeForm(forms.Form):
    drop = forms.ChoiceField(label="Merge this provider into it", error_messages={"required": "Choose a provider"})
    reason = forms.CharField(label="Why they are the same organisation", widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Say why these are the same organisation"})

    def __init__(self, *args, org, keep, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["drop"].choices = [("", "Choose a provider")] + [
            (str(p.pk), p.name) for p in Provider.objects.filter(organisation=org, merged_into__isnull=True)
            .exclude(pk=keep.pk)]

    def clean_drop(self):
        return Provider.objects.filter(organisation=self.org, pk=self.cleaned_data["drop"]).first()


class MatchForm(forms.Form):
    supplier_key = forms.CharField(widget=forms.HiddenInput)
    provider = forms.ChoiceField(label="Provider", error_messages={"required": "Choose the provider"})

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["provider"].choices = [("", "Choose a provider")] + [
            (str(p.pk), p.name) for p in Provider.objects.filter(organisation=org, merged_into__isnull=True)]

    def clean_provider(self):
        return Provider.objects.filter(organisation=self.org, pk=self.cleaned_data["provider"]).first()
