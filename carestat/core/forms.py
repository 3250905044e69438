from django import forms

from carestat.core.govuk_forms import GovukDateField
from carestat.core.models import ROLE_DESCRIPTIONS, NotificationEvent, Role, Unit, UnitKind


class SignInForm(forms.Form):
    email = forms.CharField(
        label="Email address", max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username"}),
        error_messages={"required": "Enter your email address"},
    )
    password = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )


def _role_choices():
    return [(r.value, f"{r.label}: {ROLE_DESCRIPTIONS[r]}") for r in Role]


def _unit_choices(org, blank="No particular unit"):
    return [("", blank)] + [(str(u.pk), f"{u.name} ({u.get_kind_display().lower()})")
                            for u in Unit.objects.filter(organisation=org, is_archived=False)]


class UnitChoiceMixin:
    def clean_unit(self):
        pk = self.cleaned_data.get("unit")
        if not pk:
            return None
        unit = Unit.objects.filter(organisation=self.organisation, pk=pk).first()
        if unit is None:
            raise forms.ValidationError("Choose a unit from the list")
        return unit


class AddMemberForm(UnitChoiceMixin, forms.Form):
    email = forms.EmailField(label="Email address", error_messages={
        "required": "Enter the person's email address",
        "invalid": "Enter an email address in the right format, like name@example.gov.uk"})
    full_name = forms.CharField(label="Full name", max_length=200, required=False,
                                help_text="Needed only for someone new to CareStat.")
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect,
                             error_messages={"required": "Choose a role"})
    unit = forms.ChoiceField(label="Unit", required=False,
                             help_text="Managers approve updates for this unit and those within it.")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["role"].choices = _role_choices()
        self.fields["unit"].choices = _unit_choices(organisation)


class ChangeMemberForm(UnitChoiceMixin, forms.Form):
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect, error_messages={"required": "Choose a role"})
    unit = forms.ChoiceField(label="Unit", required=False)
    is_active = forms.BooleanField(label="Active member (untick to remove their access)", required=False)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["role"].choices = _role_choices()
        self.fields["unit"].choices = _unit_choices(organisation)


class AddUnitForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the unit's name"})
    kind = forms.ChoiceField(label="Kind of unit", choices=UnitKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose directorate, service or team"})
    parent = forms.ChoiceField(label="Within", required=False,
                               help_text="Services sit within a directorate; teams within a service or directorate.")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["parent"].choices = _unit_choices(organisation, blank="Not within another unit")

    def clean_parent(self):
        pk = self.cleaned_data.get("parent")
        if not pk:
            return None
        unit = Unit.objects.filter(organisation=self.organisation, pk=pk).first()
        if unit is None:
            raise forms.ValidationError("Choose a unit from the list")
        return unit


class ChangeUnitForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the unit's name"})
    is_archived = forms.BooleanField(label="Archived (no longer in use)", required=False)


class AddYearForm(forms.Form):
    identifier = forms.CharField(label="Financial year", max_length=7, help_text="For example, 2025-26",
                                 error_messages={"required": "Enter a financial year, like 2025-26"})


class ReopenPeriodForm(forms.Form):
    reason = forms.CharField(label="Why are you reopening this period?", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=1000, error_messages={"required": "Give the reason for reopening the period"})


class TokenForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100, help_text="What will use it, such as ‘Power BI refresh’.",
                           error_messages={"required": "Give the token a name"})


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="Your current password", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your current password"})
    new_password = forms.CharField(
        label="New password", strip=False,
        help_text="12 characters or more. A few unrelated words together make a good one.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter a new password"})
    new_password_again = forms.CharField(
        label="New password again", strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the new password again"})


class AuditFilterForm(forms.Form):
    """The audit trail's filters, sent by GET so a filtered trail has an address to share."""

    kind = forms.ChoiceField(label="Show", required=False, choices=[
        ("", "Everything"), ("changes", "Changes to records"), ("signins", "Sign-ins")])
    actor = forms.TypedChoiceField(label="Person", required=False, coerce=int, empty_value=None)
    record_type = forms.ChoiceField(label="Record type", required=False)
    since = GovukDateField(label="From", required=False)
    until = GovukDateField(label="To", required=False)

    def __init__(self, *args, people=(), record_types=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", "Anyone")] + [(str(pk), name) for pk, name in people]
        self.fields["record_type"].choices = [("", "Any")] + [(t, t.replace("_", " ").capitalize())
                                                             for t in record_types]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The ‘to’ date must be the same as or after the ‘from’ date")
        return data
class NotificationPreferencesForm(forms.Form):
    events = forms.MultipleChoiceField(label="Tell me when", required=False, widget=forms.CheckboxSelectMultiple,
                                       choices=NotificationEvent.choices)
    email = forms.ChoiceField(label="Email", widget=forms.RadioSelect, choices=[
        ("each", "Send an email for each one"), ("digest", "Send one email a day with all of them"),
        ("none", "No email: show them in CareStat only")], error_messages={"required": "Choose how to be emailed"})
