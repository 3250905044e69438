from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "carestat.measures"
    label = "measures"
    verbose_name = "Performance measures: targets, values, benchmarks and judgements"

    def ready(self) -> None:
        from carestat.measures import search

        search.register()
