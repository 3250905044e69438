from django.apps import AppConfig


class CommissioningConfig(AppConfig):
    name = "carestat.commissioning"
    label = "commissioning"
    verbose_name = "Commissioning and the provider market"

    def ready(self) -> None:
        from carestat.commissioning import contributions
        from carestat.core.contributions import register_home_tiles, register_report_section

        register_report_section("commissioning", "Commissioning and the provider market",
                                contributions.commissioning_section, order=45)
        register_home_tiles("commissioning", contributions.home_tiles)

        from carestat.commissioning import search

        search.register()
