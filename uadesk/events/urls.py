"""The organiser's pages for letter-writing events."""

from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("new/", views.event_new, name="create"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/pack.pdf", views.event_pack_pdf, name="pack"),
    path("<int:pk>/letters/", views.event_count, name="tally"),
]
