"""Public pages of the network: join, confirm, a member's own choices, leave. A section's network has its
own join page and membership pages, with its code in the path."""

from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("join/", views.join, name="join"),
    path("join/sent/", views.join_sent, name="join_sent"),
    path("section/<slug:section>/join/", views.join, name="join"),
    path("member/<str:token>/", views.member, name="member"),
    path("member/<str:token>/confirm/", views.confirm, name="confirm"),
    path("member/<str:token>/section/<slug:section>/", views.member, name="member"),
    path("member/<str:token>/section/<slug:section>/confirm/", views.confirm, name="confirm"),
    path("leave/<str:token>/", views.leave, name="leave"),
    path("acted/<str:token>/<slug:channel>/", views.acted, name="acted"),
]
