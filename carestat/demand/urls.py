from django.urls import path

from carestat.demand import views

app_name = "demand"

urlpatterns = [
    path("o/<slug:slug>/demand/", views.overview, name="overview"),
    path("o/<slug:slug>/demand/run/", views.run, name="run"),
    path("o/<slug:slug>/demand/projections/<int:pk>/", views.projection, name="projection"),
    path("o/<slug:slug>/demand/scenarios/", views.scenarios, name="scenarios"),
    path("o/<slug:slug>/demand/assumptions/", views.assumptions, name="assumptions"),
    path("o/<slug:slug>/demand/rates/<int:pk>/", views.rate, name="rate"),
    path("o/<slug:slug>/demand/upload/", views.upload, name="upload"),
]
