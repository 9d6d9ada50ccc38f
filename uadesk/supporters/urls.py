"""Public pages of supporters: their own data, by the signed link in our emails, and asking for a new link."""

from django.urls import path

from . import views

app_name = "supporters"
urlpatterns = [
    path("data/<str:token>/", views.data, name="data"),
    path("data/<str:token>/download/", views.download, name="download"),
    path("data/<str:token>/erase/", views.erase, name="erase"),
    path("data/<str:token>/news/<int:action_id>/", views.news_again, name="news_again"),
    path("erased/", views.erased, name="erased"),
    path("link/", views.link_request, name="link"),
    path("link/sent/", views.link_sent, name="link_sent"),
    path("remind/<slug:slug>/", views.remind, name="remind"),
    path("stop/<str:token>/", views.stop, name="stop"),
    path("privacy/", views.privacy, name="privacy"),
]
