from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "carestat.quality"
    label = "quality"
    verbose_name = "Quality assurance: case-file audits"

    def ready(self) -> None:
        from carestat.core.contributions import register_home_tiles, register_report_section
        from carestat.quality import contributions

        register_report_section("quality", "Quality assurance", contributions.quality_section, order=45)
        register_home_tiles("quality", contributions.home_tiles)
