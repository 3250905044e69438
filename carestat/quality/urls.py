from django.urls import path

from carestat.quality import views

app_name = "quality"

urlpatterns = [
    path("o/<slug:slug>/quality/", views.rounds, name="rounds"),
    path("o/<slug:slug>/quality/tools/", views.tools, name="tools"),
    path("o/<slug:slug>/quality/tools/<int:pk>/", views.tool_page, name="tool"),
    path("o/<slug:slug>/quality/rounds/<int:pk>/", views.round_page, name="round"),
    path("o/<slug:slug>/quality/rounds/<int:pk>/sample.csv", views.sample_csv, name="sample"),
    path("o/<slug:slug>/quality/rounds/<int:pk>/results/", views.results, name="results"),
    path("o/<slug:slug>/quality/audits/<int:pk>/", views.audit_page, name="audit"),
    path("o/<slug:slug>/quality/themes/", views.themes, name="themes"),
]
