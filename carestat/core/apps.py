from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "carestat.core"
    label = "core"
    verbose_name = "Organisations, people, periods and audit"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from carestat.core import signals  # noqa: F401  (sign-in audit receivers)

        # Every app's named job tasks (carestat/<app>/tasks.py), so the worker and the pages
        # know the same ones.
        autodiscover_modules("tasks")
