from django import forms
from django.utils import timezone

from carestat.core.models import ReportingPeriod, Unit


class ReportForm(forms.Form):
    covers = forms.ChoiceField(label="What does the report cover?",
                               error_messages={"required": "Choose what the report covers"})
    period = forms.ChoiceField(label="Reporting period", error_messages={"required": "Choose the reporting period"})
    title = forms.CharField(label="Title (optional)", required=False, max_length=300,
                            help_text="Leave blank for a title made from what it covers and the period.")

    def __init__(self, org, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from carestat.plans.models import Plan
        from carestat.reports.models import Remit

        choices = [("", "Choose")]
        choices += [(f"plan:{p.pk}", f"Plan: {p.title}") for p in Plan.objects.filter(organisation=org,
                                                                                        is_archived=False)]
        choices += [(f"unit:{u.pk}", f"Unit: {u.name}") for u in Unit.objects.filter(organisation=org,
                                                                                       is_archived=False)]
        choices += [(f"remit:{r.pk}", f"Board remit: {r.name}")
                    for r in Remit.objects.filter(organisation=org, is_archived=False)]
        choices.append(("organisation", f"The whole organisation: {org.name}"))
        self.fields["covers"].choices = choices
        periods = list(ReportingPeriod.objects.filter(organisation=org).order_by("-start"))
        groups: dict[str, list] = {}
        for p in periods:
            groups.setdefault(p.kind, []).append((p.identifier, f"{p.title} ({p.identifier})"))
        # Grouped by kind, as people look for them, with the current quarter chosen to start with.
        self.fields["period"].choices = [("", "Choose")] + [
            (PERIOD_GROUPS[kind], groups[kind]) for kind in PERIOD_GROUPS if kind in groups]
        today = timezone.localdate()
        current = [p for p in periods if p.kind == "quarter" and p.start <= today <= p.end]
        if current and not self.is_bound:
            self.initial.setdefault("period", current[0].identifier)


PERIOD_GROUPS = {"year": "Financial years", "half": "Half years", "quarter": "Quarters", "month": "Months",
                 "custom": "Other periods"}


class MessagesForm(forms.Form):
    main_messages = forms.CharField(
        label="Main messages", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 8}),
        help_text="What the committee most needs to know. Leave a blank line between paragraphs.")


class RemitForm(forms.Form):
    name = forms.CharField(label="Board or committee", max_length=200,
                           error_messages={"required": "Enter the board's or committee's name"})
    plans = forms.MultipleChoiceField(label="Plans it oversees", required=False,
                                      widget=forms.CheckboxSelectMultiple)
    measures = forms.MultipleChoiceField(label="Measures it oversees", required=False,
                                         widget=forms.CheckboxSelectMultiple)

    def __init__(self, org, *args, remit=None, **kwargs):
        from carestat.measures.models import Measure
        from carestat.plans.models import Plan

        if remit is not None:
            kwargs.setdefault("initial", {
                "name": remit.name,
                "plans": [str(pk) for pk in remit.plans.filter(is_archived=False).values_list("pk", flat=True)],
                "measures": [str(pk) for pk in remit.measures.filter(is_archived=False).values_list("pk", flat=True)],
            })
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["plans"].choices = [(str(p.pk), p.title)
                                        for p in Plan.objects.filter(organisation=org, is_archived=False)]
        self.fields["measures"].choices = [(str(m.pk), f"{m.code}: {m.title}")
                                           for m in Measure.objects.filter(organisation=org, is_archived=False)]

    def chosen(self) -> dict:
        """The chosen plans and measures, looked up within the organisation only."""
        from carestat.measures.models import Measure
        from carestat.plans.models import Plan

        return {"name": self.cleaned_data["name"],
                "plans": Plan.objects.filter(organisation=self.org, pk__in=self.cleaned_data["plans"]),
                "measures": Measure.objects.filter(organisation=self.org, pk__in=self.cleaned_data["measures"])}


class ArchiveRemitForm(forms.Form):
    reason = forms.CharField(label="Why is the remit being archived?", max_length=500,
                             help_text="For example, the committee was replaced by the Health and Care Board.",
                             error_messages={"required": "Say why the remit is being archived",
                                             "max_length": "The reason must be 500 characters or fewer"})


class SectionForm(forms.Form):
    """What one section of a draft shows and says."""

    measures = forms.MultipleChoiceField(label="Measures this section shows", required=False,
                                         widget=forms.CheckboxSelectMultiple)
    charts = forms.MultipleChoiceField(label="Measures shown with their chart", required=False,
                                       widget=forms.CheckboxSelectMultiple,
                                       help_text="A measure left out above shows no chart either.")
    narrative = forms.CharField(label="Narrative", required=False, max_length=10000,
                                widget=forms.Textarea(attrs={"rows": 6}),
                                help_text="What the committee should take from this section. Leave a blank line "
                                          "between paragraphs.")

    def __init__(self, section: dict, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].choices = [(str(mid), title) for mid, title, _ in section["measures"]]
        self.fields["charts"].choices = [(str(mid), title) for mid, title, has in section["measures"] if has]
        if not self.is_bound:
            every = [str(mid) for mid, _, _ in section["measures"]]
            self.initial = {
                "measures": every if section["shown"] is None else [str(m) for m in section["shown"]],
                "charts": [c for c, _ in self.fields["charts"].choices] if section["charts"] is None
                else [str(m) for m in section["charts"]],
                "narrative": section["narrative"]}

    def chosen(self) -> dict:
        return {"narrative": self.cleaned_data["narrative"],
                "measures": [int(m) for m in self.cleaned_data["measures"]],
                "charts": [int(m) for m in self.cleaned_data["charts"]]}


class ExceptionForm(forms.Form):
    commentary = forms.CharField(label="Commentary", required=False, max_length=10000,
                                 widget=forms.Textarea(attrs={"rows": 5}),
                                 help_text="Leave blank to use the commentary from the latest approved update.")


class WordTemplateForm(forms.Form):
    template = forms.FileField(label="Word template (.docx)", error_messages={
        "required": "Choose the council's Word template (.docx) to upload"})


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label="Why is the report being reopened?", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="This is kept with the version being reopened and shown to everyone who reads its history. For "
                  "example, the September backlog figures were loaded before the late returns.",
        error_messages={"required": "Say why the report is being reopened",
                        "max_length": "The reason must be 2,000 characters or fewer"})


class ReportRulesForm(forms.Form):
    drafter_cannot_approve = forms.BooleanField(
        label="The person who drafted a report cannot approve it", required=False,
        help_text="Whoever created the report (or reopened it as a new version), or last refreshed its figures, "
                  "must ask another manager or an admin to approve it.")
    viewers_see_drafts = forms.BooleanField(
        label="Viewers and contributors can read draft reports", required=False,
        help_text="Managers, admins and auditors always can. When this is off, drafts are left out of their "
                  "report lists, search and home page, and a draft's address shows them ‘Page not found’.")
