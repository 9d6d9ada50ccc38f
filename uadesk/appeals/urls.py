"""The supporter's pages for writing and sending appeals.

Every one of them shows a supporter's name, town or letter, or takes them: no cache keeps them."""

from django.urls import path
from django.views.decorators.cache import never_cache

from . import views

app_name = "appeals"
urlpatterns = [
    path("actions/<slug:slug>/write/", never_cache(views.compose), name="compose"),
    path("actions/<slug:slug>/appeals/<uuid:key>/", never_cache(views.sent), name="sent"),
    path("actions/<slug:slug>/appeals/<uuid:key>/status.json", never_cache(views.status), name="status"),
    path("actions/<slug:slug>/appeals/<uuid:key>/confirm/", never_cache(views.confirm), name="confirm"),
    path(
        "actions/<slug:slug>/appeals/<uuid:key>/letter-<int:target_id>.pdf",
        never_cache(views.letter_pdf),
        name="letter_pdf",
    ),
    path(
        "actions/<slug:slug>/appeals/<uuid:key>/reply-<int:target_id>/",
        never_cache(views.reply),
        name="reply",
    ),
    path("appeals/confirm/<str:token>/", never_cache(views.confirm_email), name="confirm_email"),
]
