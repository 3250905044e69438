from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "carestat.plans"
    label = "plans"
    verbose_name = "Plans, actions, milestones and period updates"

    def ready(self) -> None:
        from carestat.core.contributions import register_home_tiles
        from carestat.plans import (
            contributions,
            search,
            signals,  # noqa: F401  (snapshots when a period closes)
        )

        search.register()
        register_home_tiles("plans", contributions.home_tiles)
