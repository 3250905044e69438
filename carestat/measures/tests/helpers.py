"""Helpers shared by the measures tests and access rows."""


def make_objective(org, statement="Recruit and keep a permanent frontline workforce"):
    """A plan objective of ``org`` (plans built directly: this app only links to them)."""
    import datetime as dt

    from carestat.plans.models import Objective, Plan, PlanKind, Priority

    plan, _ = Plan.objects.get_or_create(organisation=org, title="Adult care portfolio plan", defaults={
        "kind": PlanKind.values[0], "start": dt.date(2025, 4, 1), "end": dt.date(2028, 3, 31)})
    priority, _ = Priority.objects.get_or_create(plan=plan, title="A stable workforce")
    return Objective.objects.create(priority=priority, statement=statement)
