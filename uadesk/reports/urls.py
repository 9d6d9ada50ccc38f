"""Staff report routes."""

from django.urls import path, re_path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="all"),
    re_path(r"^export\.(?P<fmt>csv|xlsx|pdf)$", views.export, name="export_all"),
    path("<slug:slug>/", views.dashboard, name="action"),
    re_path(r"^(?P<slug>[-\w]+)/export\.(?P<fmt>csv|xlsx|pdf)$", views.export, name="export"),
]
