from django.apps import AppConfig


class JurisdictionsConfig(AppConfig):
    name = "carestat.jurisdictions"
    verbose_name = "Jurisdictions: bodies' names and national frameworks"
