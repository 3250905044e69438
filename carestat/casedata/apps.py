from django.apps import AppConfig


class CasedataConfig(AppConfig):
    name = "carestat.casedata"
    label = "casedata"
    verbose_name = "Case data: statutory returns, ingest and data quality"

    def ready(self) -> None:
        from carestat.casedata import contributions, search
        from carestat.core.contributions import register_home_tiles

        search.register()
        register_home_tiles("casedata", contributions.home_tiles)
