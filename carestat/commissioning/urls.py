from django.urls import path

from carestat.commissioning import views

app_name = "commissioning"

urlpatterns = [
    path("o/<slug:slug>/commissioning/", views.market_map, name="market"),
    path("o/<slug:slug>/commissioning/providers/", views.providers, name="providers"),
    path("o/<slug:slug>/commissioning/providers/<int:pk>/", views.provider_page, name="provider"),
    path("o/<slug:slug>/commissioning/contracts/", views.contracts, name="contracts"),
    path("o/<slug:slug>/commissioning/contracts/<int:pk>/", views.contract_page, name="contract"),
    path("o/<slug:slug>/commissioning/payments/", views.payments, name="payments"),
    path("o/<slug:slug>/commissioning/import/", views.import_file, name="import"),
    path("o/<slug:slug>/commissioning/settings/", views.commissioning_settings, name="settings"),
]
