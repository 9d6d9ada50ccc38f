"""Public pages of the network."""

from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("acted/<str:token>/<slug:channel>/", views.acted, name="acted"),
]
