import datetime as dt

from django import forms
from django.utils import timezone

from carestat.core.govuk_forms import GovukDateField
from carestat.core.models import PeriodStatus, ReportingPeriod
from carestat.plans.models import Delivery, RagChoice


def update_quarters(org):
    """Quarters an update might be for: begun, and ended less than a year ago. Closed ones are
    listed (marked closed) so that trying to change one says why it is refused."""
    today = timezone.localdate()
    return ReportingPeriod.objects.filter(organisation=org, kind="quarter", start__lte=today,
                                          end__gte=today - dt.timedelta(days=365)).order_by("-start")


class UpdateForm(forms.Form):
    period = forms.ChoiceField(label="Reporting period", error_messages={"required": "Choose the reporting period"})
    delivery = forms.ChoiceField(label="Delivery status", widget=forms.RadioSelect, choices=Delivery.choices,
                                 error_messages={"required": "Choose the delivery status"})
    percent_complete = forms.IntegerField(
        label="Percent complete", min_value=0, max_value=100, widget=forms.NumberInput,
        error_messages={"required": "Enter the percent complete, from 0 to 100",
                        "invalid": "Percent complete must be a whole number, like 40",
                        "min_value": "Percent complete must be 0 or more",
                        "max_value": "Percent complete must be 100 or less"})
    commentary = forms.CharField(label="Commentary", widget=forms.Textarea,
                                 help_text="Progress this period, and any problems.",
                                 error_messages={"required": "Enter commentary on progress this period"})
    next_steps = forms.CharField(label="Next steps", widget=forms.Textarea, required=False)
    evidence_links = forms.CharField(label="Evidence links", widget=forms.Textarea, required=False,
                                     help_text="One link per line, starting https://")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["period"].choices = [
            (p.identifier, p.title + (" (closed)" if p.status == PeriodStatus.CLOSED else ""))
            for p in update_quarters(organisation)]

    def clean_period(self):
        period = ReportingPeriod.objects.filter(organisation=self.organisation,
                                                identifier=self.cleaned_data["period"]).first()
        if period is None:
            raise forms.ValidationError("Choose a reporting period from the list")
        return period


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", widget=forms.RadioSelect,
                                 choices=[("approve", "Approve"), ("return", "Return to the owner")],
                                 error_messages={"required": "Choose approve or return"})
    comments = forms.CharField(label="Comments for the owner", widget=forms.Textarea, required=False,
                               help_text="Needed when returning the update: say what to change.")


class RedateForm(forms.Form):
    new_date = GovukDateField(label="New forecast date", error_messages={"required": "Enter the new forecast date"})
    reason = forms.CharField(label="Reason for the change", widget=forms.Textarea,
                             error_messages={"required": "Give the reason for moving the date"})


class CompleteForm(forms.Form):
    actual_date = GovukDateField(label="Date achieved", error_messages={"required": "Enter the date it was achieved"})


class OverrideForm(forms.Form):
    rag = forms.ChoiceField(label="RAG", required=False,
                            choices=[("", "Use the derived RAG (no override)")] + RagChoice.choices)
    reason = forms.CharField(label="Reason for the override", widget=forms.Textarea, required=False)


class ImportForm(forms.Form):
    workbook = forms.FileField(label="Plan workbook (.xlsx)", error_messages={"required": "Choose a workbook"})
