"""Public pages of actions."""

from django.urls import path

from . import views

app_name = "actions"
urlpatterns = [
    path("", views.action_list, name="list"),
    path("actions/<slug:slug>/", views.action_detail, name="detail"),
    path("sections/<slug:section>/actions/<slug:slug>/", views.action_detail, name="localised"),
]
