from django.urls import path

from carestat.jurisdictions import views

app_name = "jurisdictions"

urlpatterns = [
    path("o/<slug:slug>/bodies/", views.bodies, name="bodies"),
    path("o/<slug:slug>/framework/", views.framework, name="framework"),
]
