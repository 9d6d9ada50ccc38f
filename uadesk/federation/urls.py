"""Routes between desks: no language prefix, no session, no CSRF (each request carries a token)."""

from django.urls import path

from . import receive, views

app_name = "federation"
urlpatterns = [
    path("key", views.key, name="key"),
    path("feed", views.feed, name="feed"),
    path("reports", receive.report, name="reports"),
]
