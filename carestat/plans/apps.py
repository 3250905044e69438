from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "carestat.plans"
    label = "plans"
    verbose_name = "Plans, actions, milestones and period updates"

    def ready(self) -> None:
        from carestat.plans import (
            search,
            signals,  # noqa: F401  (snapshots when a period closes)
        )

        search.register()
