"""Staff and organisers find events here; the pack and the count of letters are on the event's own page."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .forms import EventForm
from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    form = EventForm
    list_display = ["name", "date", "place", "organiser", "expected_writers", "label_sheet", "tallied_at"]
    list_filter = ["date", "label_sheet"]
    search_fields = ["name", "place", "organiser__username"]
    date_hierarchy = "date"
    readonly_fields = ["organiser", "tallied_at"]
    fieldsets = [
        (None, {"fields": ["name", ("date", "place"), "organiser"]}),
        (_("Pack"), {"fields": ["actions", "expected_writers", "languages", "label_sheet"]}),
        (_("Letters"), {"fields": ["tallied_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).select_related("organiser")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.organiser = request.user
        super().save_model(request, obj, form, change)
