from django.urls import path

from carestat.measures import views

app_name = "measures"

urlpatterns = [
    path("o/<slug:slug>/measures/", views.measure_list, name="list"),
    path("o/<slug:slug>/measures/add/", views.measure_add, name="add"),
    path("o/<slug:slug>/measures/export.csv", views.measure_export, {"fmt": "csv"}, name="export_csv"),
    path("o/<slug:slug>/measures/export.xlsx", views.measure_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("o/<slug:slug>/measures/add-local/", views.measure_add_local, name="add_local"),
    path("o/<slug:slug>/measures/import/", views.import_values, name="import"),
    path("o/<slug:slug>/measures/recomputed/", views.recomputed, name="recomputed"),
    path("o/<slug:slug>/measures/recomputed/<int:pk>/approve/", views.recomputed_approve, name="recomputed_approve"),
    path("o/<slug:slug>/measures/recomputed/<int:pk>/reject/", views.recomputed_reject, name="recomputed_reject"),
    path("o/<slug:slug>/measures/<str:code>/", views.measure_detail, name="detail"),
    path("o/<slug:slug>/measures/<str:code>/settings/", views.measure_settings, name="settings"),
    path("o/<slug:slug>/measures/<str:code>/values/new/", views.value_new, name="value_new"),
    path("o/<slug:slug>/measures/<str:code>/values/<int:pk>/approve/", views.value_approve, name="value_approve"),
    path("o/<slug:slug>/measures/<str:code>/targets/new/", views.target_new, name="target_new"),
    path("o/<slug:slug>/measures/<str:code>/benchmarks/new/", views.benchmark_new, name="benchmark_new"),
    path("o/<slug:slug>/measures/<str:code>/process-changes/new/", views.process_change_new,
         name="process_change_new"),
    path("o/<slug:slug>/measures/<str:code>/objectives/new/", views.objective_link, name="objective_link"),
    path("o/<slug:slug>/measures/<str:code>/objectives/<int:pk>/remove/", views.objective_unlink,
         name="objective_unlink"),
]
