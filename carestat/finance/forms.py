"""Finance forms: text in, checked by the services (which hold the rules), errors shown by field."""

from __future__ import annotations

from django import forms

from carestat.core.models import Membership, ReportingPeriod, Unit
from carestat.finance.models import FinanceRagChoice, SavingStatus, ServiceLine

MONEY_HELP = "In pounds, such as 125000 or 125000.50."


def _money(label, help_text=MONEY_HELP, required=True):
    return forms.CharField(label=label, help_text=help_text, required=required, max_length=20,
                           error_messages={"required": f"Enter the {label.lower()}"})


class SettingsForm(forms.Form):
    amber_from_percent = forms.CharField(label="Amber from (% overspend)", max_length=6,
                                         help_text="An overspend above this percentage of the budget is amber.")
    red_from_percent = forms.CharField(label="Red from (% overspend)", max_length=6,
                                       help_text="An overspend above this percentage of the budget is red.")
    cost_code_column = forms.CharField(label="Cost code column", max_length=100)
    period_column = forms.CharField(label="Period column", max_length=100,
                                    help_text="A month (2026-09), a quarter (2026-27-Q2) or a date in the month.")
    budget_column = forms.CharField(label="Budget column", max_length=100,
                                    help_text="The line's approved budget for the whole financial year.")
    actual_column = forms.CharField(label="Actual column", max_length=100, help_text="Spend in the period.")
    forecast_column = forms.CharField(label="Forecast column", max_length=100,
                                      help_text="Forecast outturn for the whole year, as at the period's end.")
    report_scenario = forms.ChoiceField(label="Scenario the committee report names", required=False,
                                        help_text="The report's money section shows its effect on each year beside "
                                                  "the base case.")

    def __init__(self, *args, org, **kwargs):
        from carestat.finance.models import Scenario

        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["report_scenario"].choices = [("", "No scenario")] + [
            (str(sc.pk), sc.name) for sc in Scenario.objects.filter(organisation=org, is_archived=False)]

    def clean_report_scenario(self):
        from carestat.finance.models import Scenario

        pk = self.cleaned_data.get("report_scenario")
        return Scenario.objects.filter(organisation=self.org, pk=pk).first() if pk else None


class LedgerForm(forms.Form):
    file = forms.FileField(label="Ledger extract (.csv or .xlsx)",
                           error_messages={"required": "Choose the ledger extract to import"})


def _line_choices(org, blank):
    return [("", blank)] + [(str(line.pk), f"{line.cost_code} {line.name}")
                            for line in ServiceLine.objects.filter(organisation=org, is_archived=False)]


class LineForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Enter the line's name"})
    cost_code = forms.CharField(label="Cost code", max_length=40, help_text="As the ledger extract gives it.",
                                error_messages={"required": "Enter the cost code"})
    parent = forms.ChoiceField(label="Sits under", required=False)
    unit = forms.ChoiceField(label="Unit", required=False, help_text="The unit whose budget this is.")

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["parent"].choices = _line_choices(org, "Nothing (a top-level line)")
        self.fields["unit"].choices = [("", "No particular unit")] + [
            (str(u.pk), u.name) for u in Unit.objects.filter(organisation=org, is_archived=False)]

    def clean_parent(self):
        pk = self.cleaned_data.get("parent")
        return ServiceLine.objects.filter(organisation=self.org, pk=pk).first() if pk else None

    def clean_unit(self):
        pk = self.cleaned_data.get("unit")
        return Unit.objects.filter(organisation=self.org, pk=pk).first() if pk else None


class LineEditForm(LineForm):
    is_archived = forms.BooleanField(label="Archived: the line no longer counts in summaries", required=False)

    def __init__(self, *args, line, **kwargs):
        super().__init__(*args, **kwargs)
        below = {line.pk}
        frontier = [line.pk]
        while frontier:
            frontier = list(ServiceLine.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            below.update(frontier)
        self.fields["parent"].choices = [c for c in self.fields["parent"].choices
                                         if c[0] == "" or int(c[0]) not in below]


class BudgetForm(forms.Form):
    year = forms.CharField(label="Financial year", max_length=7, help_text="Such as 2026-27.",
                           error_messages={"required": "Enter the financial year"})
    amount = _money("Approved budget")


def _periods_in(org, fy):
    return ReportingPeriod.objects.filter(organisation=org, kind__in=("month", "quarter"), start__gte=fy.start,
                                          end__lte=fy.end).order_by("start", "kind")


class CommentForm(forms.Form):
    period = forms.ChoiceField(label="Month or quarter", error_messages={"required": "Choose the period"})
    text = forms.CharField(label="Commentary", widget=forms.Textarea,
                           help_text="Why the line is over or under budget, and what is being done about it.",
                           error_messages={"required": "Enter the commentary"})

    def __init__(self, *args, org, fy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", "Choose")] + [
            (p.identifier, f"{p.title}{' (closed)' if p.is_closed else ''}") for p in _periods_in(org, fy)]


class MediumTermPlanForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the title"})
    first_year = forms.CharField(label="First financial year", max_length=7, help_text="Such as 2025-26.",
                                 error_messages={"required": "Enter the first year"})
    years = forms.TypedChoiceField(label="Years", coerce=int, choices=[(3, "3"), (4, "4"), (5, "5")],
                                   widget=forms.RadioSelect, error_messages={"required": "Choose how many years"})
    plan = forms.ChoiceField(label="The plan it pays for", required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        from carestat.plans.models import Plan

        self.org = org
        self.fields["plan"].choices = [("", "No particular plan")] + [
            (str(p.pk), p.title) for p in Plan.objects.filter(organisation=org, is_archived=False)]

    def clean_plan(self):
        from carestat.plans.models import Plan

        pk = self.cleaned_data.get("plan")
        return Plan.objects.filter(organisation=self.org, pk=pk).first() if pk else None


class MediumTermPlanEditForm(MediumTermPlanForm):
    is_archived = forms.BooleanField(label="Archived: the plan's years no longer head the pages", required=False)


class SavingForm(forms.Form):
    reference = forms.CharField(label="Reference", max_length=20, help_text="Such as CS-01.",
                                error_messages={"required": "Enter the reference"})
    title = forms.CharField(label="Saving", max_length=300, error_messages={"required": "Enter what the saving is"})
    description = forms.CharField(label="How it will be delivered", widget=forms.Textarea, required=False)
    owner = forms.ChoiceField(label="Owner", required=False)
    line = forms.ChoiceField(label="Service line", required=False)
    action = forms.ChoiceField(label="Plan action that delivers it", required=False)
    risk = forms.ChoiceField(label="Risk to its delivery", required=False,
                             help_text="A risk in the risk register; the risk's page lists the saving.")
    deliverability = forms.ChoiceField(label="Deliverability", widget=forms.RadioSelect,
                                       choices=FinanceRagChoice.choices,
                                       error_messages={"required": "Choose how deliverable the saving is"})
    status = forms.ChoiceField(label="Status", choices=SavingStatus.choices)

    def __init__(self, *args, org, years, **kwargs):
        super().__init__(*args, **kwargs)
        from carestat.plans.models import Action

        self.org, self.years = org, years
        self.fields["owner"].choices = [("", "No owner yet")] + [
            (str(m.user_id), m.user.display_name)
            for m in Membership.objects.filter(organisation=org, is_active=True).select_related("user")]
        self.fields["line"].choices = _line_choices(org, "No particular line")
        self.fields["action"].choices = [("", "No action yet")] + [
            (str(a.pk), f"{a.title} ({a.objective.priority.plan.title})")
            for a in Action.objects.filter(objective__priority__plan__organisation=org, is_archived=False)
            .select_related("objective__priority__plan")]
        self.fields["risk"].choices = _risk_choices(org)
        for y in years:
            self.fields[f"target_{y}"] = _money(f"Target {y}", required=False,
                                                help_text="Leave blank if the saving has no target that year.")

    def targets(self) -> dict[str, str]:
        return {y: self.cleaned_data[f"target_{y}"] for y in self.years if self.cleaned_data.get(f"target_{y}")}

    def links(self):
        from carestat.core.models import User
        from carestat.plans.models import Action

        d = self.cleaned_data
        return {
            "owner": User.objects.filter(pk=d["owner"], memberships__organisation=self.org).first()
            if d.get("owner") else None,
            "line": ServiceLine.objects.filter(organisation=self.org, pk=d["line"]).first() if d.get("line") else None,
            "action": Action.objects.filter(objective__priority__plan__organisation=self.org, pk=d["action"]).first()
            if d.get("action") else None,
            "risk": _risk(self.org, d.get("risk")),
        }


def _risk_choices(org):
    from carestat.risks.models import Risk

    return [("", "No risk linked")] + [(str(r.pk), f"{r.ref} {r.title}")
                                      for r in Risk.objects.filter(organisation=org, is_archived=False)
                                      .order_by("ref")]


def _risk(org, pk):
    from carestat.risks.models import Risk

    return Risk.objects.filter(organisation=org, pk=pk).first() if pk else None


class SavingLinksForm(SavingForm):
    """The saving's owner, line, delivering action and risk, chosen or cleared."""

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, org=org, years=[], **kwargs)
        for name in list(self.fields):
            if name not in ("owner", "line", "action", "risk"):
                del self.fields[name]


class SavingStatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=SavingStatus.choices)
    deliverability = forms.ChoiceField(label="Deliverability", widget=forms.RadioSelect,
                                       choices=FinanceRagChoice.choices)
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea,
                             help_text="Needed when writing a saving off.")


class DeliveryForm(forms.Form):
    year = forms.ChoiceField(label="Financial year")
    delivered = _money("Delivered to date")

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, y) for y in years]


class DriverForm(forms.Form):
    line = forms.ChoiceField(label="Service line", error_messages={"required": "Choose the service line"})
    activity = forms.ChoiceField(label="Activity that drives its cost")
    base_year = forms.CharField(label="Year of the unit cost", max_length=7, help_text="Such as 2026-27.",
                                error_messages={"required": "Enter the year the unit cost is for"})
    unit_cost = _money("Unit cost", help_text="In pounds: the cost of one child's placement or one adult's support "
                                          "for a year, or of one hour for hours of home care.")
    inflation_percent = forms.CharField(label="Inflation (% a year)", max_length=6, initial="0")
    budget_volume = forms.CharField(label="Volume the budget assumed", max_length=10, required=False,
                                    help_text="Children or adults, or hours a week for hours of home care: to split "
                                              "the variance into price and volume.")

    def __init__(self, *args, org, **kwargs):
        from carestat.finance.models import ActivitySource

        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["line"].choices = _line_choices(org, "Choose")
        self.fields["activity"].choices = ActivitySource.choices

    def clean_line(self):
        line = ServiceLine.objects.filter(organisation=self.org, pk=self.cleaned_data["line"]).first()
        if line is None:
            raise forms.ValidationError("Choose the service line")
        return line


class ScenarioForm(forms.Form):
    name = forms.CharField(label="Scenario name", max_length=200, error_messages={"required": "Name the scenario"})
    description = forms.CharField(label="Description", widget=forms.Textarea, required=False)
    cost_code = forms.ChoiceField(label="Service line", error_messages={"required": "Choose the service line"})
    kind = forms.ChoiceField(label="Change", choices=[
        ("volume", "Children, adults or hours a week (negative for fewer)"),
        ("unit_cost", "Unit cost (% change)"), ("inflation", "Inflation (% a year, replacing the line's)")])
    amount = forms.CharField(label="Amount", max_length=12,
                             help_text="Such as -10 children, -500 hours a week or 3 per cent.",
                             error_messages={"required": "Enter the amount of the change"})
    start = forms.CharField(label="From quarter", max_length=10, required=False,
                            help_text="Such as 2026-27-Q3; not needed for inflation.")

    def __init__(self, *args, org, **kwargs):
        from carestat.finance.models import CostDriver

        super().__init__(*args, **kwargs)
        self.fields["cost_code"].choices = [("", "Choose")] + [
            (d.line.cost_code, f"{d.line.cost_code} {d.line.name}")
            for d in CostDriver.objects.filter(organisation=org).select_related("line")]


CHANGE_KINDS = [("volume", "Children, adults or hours a week (negative for fewer)"),
                ("unit_cost", "Unit cost (% change)"), ("inflation", "Inflation (% a year, replacing the line's)")]


class ScenarioEditForm(forms.Form):
    """A scenario's name, description and each of its changes (tick "remove" to drop one; the
    last, blank row adds one)."""

    name = forms.CharField(label="Scenario name", max_length=200, error_messages={"required": "Name the scenario"})
    description = forms.CharField(label="Description", widget=forms.Textarea, required=False)

    def __init__(self, *args, org, scenario, **kwargs):
        from carestat.finance.models import CostDriver

        initial = {"name": scenario.name, "description": scenario.description}
        for i, c in enumerate(scenario.changes):
            initial |= {f"c{i}_cost_code": c["cost_code"], f"c{i}_kind": c["kind"], f"c{i}_amount": c["amount"],
                        f"c{i}_start": c.get("start", "")}
        super().__init__(*args, initial=initial, **kwargs)
        lines = [("", "Choose")] + [(d.line.cost_code, f"{d.line.cost_code} {d.line.name}")
                                    for d in CostDriver.objects.filter(organisation=org).select_related("line")]
        self.rows = len(scenario.changes) + 1
        for i in range(self.rows):
            n = i + 1
            new = i == len(scenario.changes)
            label = "New change" if new else f"Change {n}"
            self.fields[f"c{i}_cost_code"] = forms.ChoiceField(label=f"{label}: service line", choices=lines,
                                                               required=False)
            self.fields[f"c{i}_kind"] = forms.ChoiceField(label=f"{label}: what changes",
                                                          choices=[("", "Choose")] + CHANGE_KINDS, required=False)
            self.fields[f"c{i}_amount"] = forms.CharField(
                label=f"{label}: amount", max_length=12, required=False,
                help_text="Such as -10 children, -500 hours a week or 3 per cent.")
            self.fields[f"c{i}_start"] = forms.CharField(label=f"{label}: from quarter", max_length=10,
                                                         required=False,
                                                         help_text="Such as 2026-27-Q3; not needed for inflation.")
            if not new:
                self.fields[f"c{i}_remove"] = forms.BooleanField(label=f"Remove change {n}", required=False)

    def changes(self) -> list[dict]:
        d = self.cleaned_data
        out = []
        for i in range(self.rows):
            if d.get(f"c{i}_remove"):
                continue
            row = {k: (d.get(f"c{i}_{k}") or "").strip() for k in ("cost_code", "kind", "amount", "start")}
            if any(row.values()):
                out.append(row)
        return out


class ArchiveForm(forms.Form):
    reason = forms.CharField(label="Why archive it", widget=forms.Textarea,
                             error_messages={"required": "Say why it is archived"})
