"""The supporter's pages for writing and sending appeals."""

from django.urls import path

from . import views

app_name = "appeals"
urlpatterns = [
    path("actions/<slug:slug>/write/", views.compose, name="compose"),
    path("actions/<slug:slug>/appeals/<uuid:key>/", views.sent, name="sent"),
    path("actions/<slug:slug>/appeals/<uuid:key>/confirm/", views.confirm, name="confirm"),
    path(
        "actions/<slug:slug>/appeals/<uuid:key>/letter-<int:target_id>.pdf",
        views.letter_pdf,
        name="letter_pdf",
    ),
    path("actions/<slug:slug>/appeals/<uuid:key>/reply-<int:target_id>/", views.reply, name="reply"),
]
