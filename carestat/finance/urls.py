from django.urls import path

from carestat.finance import views

app_name = "finance"

urlpatterns = [
    path("o/<slug:slug>/finance/", views.summary, name="summary"),
    path("o/<slug:slug>/finance/lines/", views.lines, name="lines"),
    path("o/<slug:slug>/finance/lines/<int:pk>/", views.line_page, name="line"),
    path("o/<slug:slug>/finance/lines/<int:pk>/edit/", views.line_edit, name="line_edit"),
    path("o/<slug:slug>/finance/plans/new/", views.mtp_new, name="mtp_new"),
    path("o/<slug:slug>/finance/plans/<int:pk>/edit/", views.mtp_edit, name="mtp_edit"),
    path("o/<slug:slug>/finance/settings/", views.finance_settings, name="settings"),
    path("o/<slug:slug>/finance/import/", views.import_ledger, name="import"),
    path("o/<slug:slug>/finance/<str:year>/export.xlsx", views.export, name="export"),
    path("o/<slug:slug>/finance/model/", views.cost_model, name="model"),
    path("o/<slug:slug>/finance/model/scenarios/<int:pk>/", views.scenario_edit, name="scenario_edit"),
    path("o/<slug:slug>/finance/model/scenarios/<int:pk>/archive/", views.scenario_archive, name="scenario_archive"),
    path("o/<slug:slug>/finance/savings/", views.savings, name="savings"),
    path("o/<slug:slug>/finance/savings/<int:pk>/", views.saving_page, name="saving"),
]
