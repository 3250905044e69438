from django.urls import path

from carestat.core.views import account, auth, notifications, org, organisation, search, tokens

app_name = "core"

urlpatterns = [
    path("", org.home, name="home"),
    path("sign-in/", auth.signin, name="signin"),
    path("sign-out/", auth.signout, name="signout"),
    path("account/password/", account.password_change, name="password_change"),
    path("account/api-tokens/", tokens.tokens, name="tokens"),
    path("account/api-tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("o/<slug:slug>/", org.org_home, name="org_home"),
    path("o/<slug:slug>/organisation/", organisation.organisation, name="organisation"),
    path("o/<slug:slug>/members/", org.members, name="members"),
    path("o/<slug:slug>/members/<int:pk>/", org.member_change, name="member_change"),
    path("o/<slug:slug>/members/<int:pk>/reset-password/", account.member_password_reset,
         name="member_password_reset"),
    path("o/<slug:slug>/units/", org.units, name="units"),
    path("o/<slug:slug>/units/<int:pk>/", org.unit_change, name="unit_change"),
    path("o/<slug:slug>/periods/", org.periods, name="periods"),
    path("o/<slug:slug>/periods/<str:identifier>/close/", org.period_close, name="period_close"),
    path("o/<slug:slug>/periods/<str:identifier>/reopen/", org.period_reopen, name="period_reopen"),
    path("o/<slug:slug>/jobs/<int:pk>/", org.job, name="job"),
    path("o/<slug:slug>/jobs/<int:pk>/retry/", org.job_retry, name="job_retry"),
    path("o/<slug:slug>/search/", search.search, name="search"),
    path("o/<slug:slug>/notifications/", notifications.notifications, name="notifications"),
    path("o/<slug:slug>/notifications/read/", notifications.notifications_read, name="notifications_read"),
    path("o/<slug:slug>/notifications/settings/", notifications.notification_preferences,
         name="notification_preferences"),
    path("o/<slug:slug>/audit/", org.audit_log, name="audit_log"),
    path("o/<slug:slug>/audit/export.csv", org.audit_export, name="audit_export"),
    path("o/<slug:slug>/audit/export.xlsx", org.audit_export, name="audit_export_xlsx"),
    path("o/<slug:slug>/history/<slug:record_type>/<str:record_id>/", org.record_history, name="record_history"),
]
