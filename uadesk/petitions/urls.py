"""Public pages of petitions."""

from django.urls import path

from . import views

app_name = "petitions"
urlpatterns = [
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("<slug:slug>/", views.sign, name="sign"),
    path("<slug:slug>/thanks/", views.thanks, name="thanks"),
    path("<slug:slug>/widget/", views.widget, name="widget"),
]
