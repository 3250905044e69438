from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "carestat.measures"
    label = "measures"
    verbose_name = "Performance measures: targets, values, benchmarks and judgements"

    def ready(self) -> None:
        from carestat.core.contributions import register_home_tiles
        from carestat.measures import contributions, search

        search.register()
        register_home_tiles("measures", contributions.home_tiles)
