from django.urls import path

from carestat.risks import views

app_name = "risks"

R = "o/<slug:slug>/risks/"

urlpatterns = [
    path(R, views.register, name="register"),
    path(R + "review/", views.needing_review, name="review"),
    path(R + "issues/", views.issues, name="issues"),
    path(R + "heatmap/", views.heatmap, name="heatmap"),
    path(R + "new/", views.risk_new, name="new"),
    path(R + "settings/", views.settings_page, name="settings"),
    path(R + "categories/new/", views.category_new, name="category_new"),
    path(R + "categories/<int:pk>/edit/", views.category_edit, name="category_edit"),
    path(R + "export.xlsx", views.export, name="export"),
    path(R + "import/", views.import_register, name="import"),
    path(R + "<int:pk>/", views.risk_page, name="risk"),
    path(R + "<int:pk>/edit/", views.risk_edit, name="edit"),
    path(R + "<int:pk>/assess/", views.assess, name="assess"),
    path(R + "<int:pk>/archive/", views.archive, name="archive"),
    path(R + "<int:pk>/issue/", views.issue, name="issue"),
    path(R + "<int:pk>/controls/new/", views.control_new, name="control_new"),
    path(R + "<int:pk>/controls/<int:control_pk>/edit/", views.control_edit, name="control_edit"),
    path(R + "<int:pk>/mitigations/link/", views.mitigation_link, name="mitigation_link"),
    path(R + "<int:pk>/mitigations/create/", views.mitigation_create, name="mitigation_create"),
    path(R + "<int:pk>/mitigations/<int:link_pk>/remove/", views.mitigation_unlink, name="mitigation_unlink"),
    path(R + "<int:pk>/indicators/link/", views.indicator_link, name="indicator_link"),
    path(R + "<int:pk>/indicators/<int:link_pk>/remove/", views.indicator_unlink, name="indicator_unlink"),
]
