from django.urls import path

from carestat.casedata import views

app_name = "casedata"

urlpatterns = [
    path("o/<slug:slug>/data/", views.submissions, name="submissions"),
    path("o/<slug:slug>/data/load/", views.upload, name="upload"),
    path("o/<slug:slug>/data/recompute/", views.recompute, name="recompute"),
    path("o/<slug:slug>/data/operations/", views.operations, name="operations"),
    path("o/<slug:slug>/data/forecasts/", views.forecasts, name="forecasts"),
    path("o/<slug:slug>/data/forecasts/<int:pk>/", views.forecast, name="forecast"),
    path("o/<slug:slug>/data/<int:pk>/", views.submission, name="submission"),
    path("o/<slug:slug>/data/<int:pk>/problems.csv", views.problems_csv, name="problems_csv"),
]
