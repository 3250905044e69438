from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "carestat.core"
    label = "core"
    verbose_name = "Organisations, people, periods and audit"

    def ready(self) -> None:
        from carestat.core import signals  # noqa: F401  (sign-in audit receivers)
