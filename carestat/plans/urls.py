from django.urls import path

from carestat.plans import views

app_name = "plans"

urlpatterns = [
    path("o/<slug:slug>/plans/", views.plan_list, name="list"),
    path("o/<slug:slug>/plans/my-actions/", views.my_actions, name="mine"),
    path("o/<slug:slug>/plans/import/", views.import_plan, name="import"),
    path("o/<slug:slug>/plans/template.xlsx", views.template, name="template"),
    path("o/<slug:slug>/plans/new/", views.plan_new, name="new"),
    path("o/<slug:slug>/plans/rules/", views.plan_rules, name="rules"),
    path("o/<slug:slug>/plans/<int:pk>/", views.plan_tree_page, name="tree"),
    path("o/<slug:slug>/plans/<int:pk>/edit/", views.plan_edit, name="edit"),
    path("o/<slug:slug>/plans/<int:pk>/archive/", views.archive_item, {"kind": "plan"}, name="archive"),
    path("o/<slug:slug>/plans/<int:pk>/priorities/new/", views.priority_new, name="priority_new"),
    path("o/<slug:slug>/priorities/<int:pk>/edit/", views.priority_edit, name="priority_edit"),
    path("o/<slug:slug>/priorities/<int:pk>/archive/", views.archive_item, {"kind": "priority"},
         name="priority_archive"),
    path("o/<slug:slug>/priorities/<int:pk>/objectives/new/", views.objective_new, name="objective_new"),
    path("o/<slug:slug>/objectives/<int:pk>/edit/", views.objective_edit, name="objective_edit"),
    path("o/<slug:slug>/objectives/<int:pk>/archive/", views.archive_item, {"kind": "objective"},
         name="objective_archive"),
    path("o/<slug:slug>/objectives/<int:pk>/actions/new/", views.action_new, name="action_new"),
    path("o/<slug:slug>/plans/<int:pk>/delivery/", views.delivery, name="delivery"),
    path("o/<slug:slug>/plans/<int:pk>/timeline/", views.timeline, name="timeline"),
    path("o/<slug:slug>/plans/<int:pk>/changes/", views.changes, name="changes"),
    path("o/<slug:slug>/plans/<int:pk>/export.xlsx", views.export, name="export"),
    path("o/<slug:slug>/actions/<int:pk>/", views.action_page, name="action"),
    path("o/<slug:slug>/actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("o/<slug:slug>/actions/<int:pk>/archive/", views.archive_item, {"kind": "action"}, name="action_archive"),
    path("o/<slug:slug>/actions/<int:pk>/milestones/new/", views.milestone_new, name="milestone_new"),
    path("o/<slug:slug>/actions/<int:pk>/updates/<str:identifier>/review/", views.review_update, name="review"),
    path("o/<slug:slug>/milestones/<int:pk>/", views.milestone_page, name="milestone"),
    path("o/<slug:slug>/milestones/<int:pk>/archive/", views.archive_item, {"kind": "milestone"},
         name="milestone_archive"),
]
