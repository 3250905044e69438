from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "carestat.reports"
    label = "reports"
    verbose_name = "Reports: committee reports, approved, frozen and published"

    def ready(self) -> None:
        from carestat.reports import search

        search.register()
