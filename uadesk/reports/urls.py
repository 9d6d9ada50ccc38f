"""Staff report routes."""

from django.urls import path, re_path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="all"),
    re_path(r"^export\.(?P<fmt>csv|xlsx|pdf)$", views.export, name="export_all"),
    # Before the action's dashboard, whose slug would take "feedback".
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/<slug:slug>/", views.feedback_page, name="feedback"),
    re_path(
        r"^feedback/(?P<slug>[-\w]+)/export\.(?P<fmt>csv|pdf)$", views.feedback_export, name="feedback_export"
    ),
    path("<slug:slug>/", views.dashboard, name="action"),
    re_path(r"^(?P<slug>[-\w]+)/export\.(?P<fmt>csv|xlsx|pdf)$", views.export, name="export"),
]
