from django.apps import AppConfig


class DemandConfig(AppConfig):
    name = "carestat.demand"
    label = "demand"
    verbose_name = "Future need: projections of adults' needs and children's care demand"

    def ready(self) -> None:
        from carestat.core.contributions import register_home_tiles, register_report_section
        from carestat.demand import contributions

        register_report_section("future_need", "Future need", contributions.future_need_section, order=45)
        register_home_tiles("demand", contributions.home_tiles)
