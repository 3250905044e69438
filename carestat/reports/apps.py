from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "carestat.reports"
    label = "reports"
    verbose_name = "Reports: committee reports, approved, frozen and published"

    def ready(self) -> None:
        from carestat.core.contributions import register_home_tiles
        from carestat.reports import contributions, search

        search.register()
        register_home_tiles("reports", contributions.home_tiles)
