from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "carestat.finance"
    label = "finance"
    verbose_name = "Budgets, forecast outturn and the savings programme"

    def ready(self) -> None:
        from carestat.core.contributions import register_home_tiles, register_record_panel, register_report_section
        from carestat.finance import contributions

        register_report_section("money", "Money", contributions.money_section, order=40)
        register_home_tiles("finance", contributions.home_tiles)
        register_record_panel("risk", "finance", contributions.risk_savings_panel)

        from carestat.finance import search

        search.register()
