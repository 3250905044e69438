from django.urls import path

from carestat.reports import views

app_name = "reports"

urlpatterns = [
    path("o/<slug:slug>/reports/", views.reports, name="list"),
    path("o/<slug:slug>/reports/new/", views.new, name="new"),
    path("o/<slug:slug>/reports/remits/", views.remits, name="remits"),
    path("o/<slug:slug>/reports/remits/<int:pk>/change/", views.remit_edit, name="remit_edit"),
    path("o/<slug:slug>/reports/remits/<int:pk>/archive/", views.remit_archive, name="remit_archive"),
    path("o/<slug:slug>/reports/rules/", views.rules, name="rules"),
    path("o/<slug:slug>/reports/word-template/", views.word_template, name="word_template"),
    path("o/<slug:slug>/reports/word-template/remove/", views.word_template_remove, name="word_template_remove"),
    path("o/<slug:slug>/reports/<int:pk>/", views.report, name="report"),
    path("o/<slug:slug>/reports/<int:pk>/sections/<str:key>/", views.write_section, name="write_section"),
    path("o/<slug:slug>/reports/<int:pk>/exceptions/<str:key>/", views.write_exception, name="write_exception"),
    path("o/<slug:slug>/reports/<int:pk>/refresh/", views.refresh, name="refresh"),
    path("o/<slug:slug>/reports/<int:pk>/messages/", views.main_messages, name="messages"),
    path("o/<slug:slug>/reports/<int:pk>/approve/", views.approve, name="approve"),
    path("o/<slug:slug>/reports/<int:pk>/publish/", views.publish, name="publish"),
    path("o/<slug:slug>/reports/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("o/<slug:slug>/reports/<int:pk>/download/<str:fmt>/", views.download, name="download"),
]
