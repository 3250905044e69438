from django.urls import path

from carestat.plans import views

app_name = "plans"

urlpatterns = [
    path("o/<slug:slug>/plans/", views.plan_list, name="list"),
    path("o/<slug:slug>/plans/my-actions/", views.my_actions, name="mine"),
    path("o/<slug:slug>/plans/import/", views.import_plan, name="import"),
    path("o/<slug:slug>/plans/template.xlsx", views.template, name="template"),
    path("o/<slug:slug>/plans/<int:pk>/", views.plan_tree_page, name="tree"),
    path("o/<slug:slug>/plans/<int:pk>/delivery/", views.delivery, name="delivery"),
    path("o/<slug:slug>/plans/<int:pk>/timeline/", views.timeline, name="timeline"),
    path("o/<slug:slug>/plans/<int:pk>/changes/", views.changes, name="changes"),
    path("o/<slug:slug>/plans/<int:pk>/export.xlsx", views.export, name="export"),
    path("o/<slug:slug>/actions/<int:pk>/", views.action_page, name="action"),
    path("o/<slug:slug>/actions/<int:pk>/updates/<str:identifier>/review/", views.review_update, name="review"),
    path("o/<slug:slug>/milestones/<int:pk>/", views.milestone_page, name="milestone"),
]
