from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "carestat.risks"
    label = "risks"
    verbose_name = "Risk register: risks, assessments, controls, mitigations and indicators"

    def ready(self) -> None:
        from carestat.core.contributions import register_home_tiles, register_report_section
        from carestat.risks import reporting

        register_report_section("risks", "Risks", reporting.build_section, order=40)
        register_home_tiles("risks", reporting.home_tiles)

        from carestat.risks import search

        search.register()
