from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "carestat.governance"
    label = "governance"
    verbose_name = "Governance: boards, meetings, decisions and recommendations"

    def ready(self) -> None:
        from carestat.core.contributions import register_home_tiles, register_report_section
        from carestat.governance import contributions

        register_report_section("governance", "Recommendations and governance", contributions.report_section,
                                order=60)
        register_home_tiles("governance", contributions.home_tiles)

        from carestat.governance import search

        search.register()
