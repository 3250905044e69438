from django.urls import path

from carestat.governance import views

app_name = "governance"

G = "o/<slug:slug>/governance/"

urlpatterns = [
    path(G, views.boards, name="boards"),
    path(G + "boards/new/", views.board_new, name="board_new"),
    path(G + "boards/<int:pk>/", views.board_page, name="board"),
    path(G + "boards/<int:pk>/edit/", views.board_edit, name="board_edit"),
    path(G + "boards/<int:pk>/archive/", views.board_archive, name="board_archive"),
    path(G + "boards/<int:pk>/members/new/", views.member_new, name="member_new"),
    path(G + "boards/<int:pk>/forward-plan/new/", views.forward_new, name="forward_new"),
    path(G + "boards/<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path(G + "meetings/<int:pk>/", views.meeting_page, name="meeting"),
    path(G + "meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path(G + "meetings/<int:pk>/items/new/", views.item_new, name="item_new"),
    path(G + "meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    path(G + "meetings/<int:pk>/decisions/new/", views.decision_new, name="decision_new"),
    path(G + "meetings/<int:pk>/approve-minutes/", views.approve_minutes, name="approve_minutes"),
    path(G + "meetings/<int:pk>/public-pack/", views.meeting_pack, name="pack"),
    path(G + "meetings/<int:pk>/public-pack.pdf", views.meeting_pack_pdf, name="pack_pdf"),
    path(G + "items/<int:pk>/minutes/", views.item_minutes, name="item_minutes"),
    path(G + "recommendations/", views.tracker_page, name="tracker"),
    path(G + "recommendations/new/", views.recommendation_new, name="recommendation_new"),
    path(G + "recommendations/import/", views.import_page, name="import"),
    path(G + "recommendations/export.xlsx", views.export, name="export"),
    path(G + "recommendations/<int:pk>/", views.recommendation_page, name="recommendation"),
    path(G + "recommendations/<int:pk>/edit/", views.recommendation_edit, name="recommendation_edit"),
    path(G + "recommendations/<int:pk>/status/", views.recommendation_status, name="recommendation_status"),
    path(G + "recommendations/<int:pk>/link-action/", views.link_action, name="link_action"),
    path(G + "recommendations/<int:pk>/unlink-action/<int:action_pk>/", views.unlink_action, name="unlink_action"),
    path(G + "recommendations/<int:pk>/new-action/", views.new_action, name="new_action"),
    path(G + "recommendations/<int:pk>/extensions/new/", views.extension_new, name="extension_new"),
    path(G + "extensions/<int:pk>/decide/", views.extension_decide, name="extension_decide"),
]
