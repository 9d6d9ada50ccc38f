"""Administrators create, look at and revoke API tokens and webhooks; the delivery log is read-only."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uadesk.staff.readonly import ReadOnlyAdmin

from .models import ApiToken, Webhook, WebhookDelivery


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name", "prefix", "scope_read", "scope_write", "scope_personal_data", "scope_target_addresses",
        "created_at", "expires_at", "last_used_at", "revoked_at",
    ]  # fmt: skip
    list_filter = ["scope_write", "scope_personal_data", "scope_target_addresses",
                   ("revoked_at", admin.EmptyFieldListFilter)]  # fmt: skip
    search_fields = ["name", "prefix"]
    fields = [
        "name",
        "scope_read",
        "scope_write",
        "scope_personal_data",
        "scope_target_addresses",
        "expires_at",
    ]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return self.fields + (self.readonly_fields if obj else [])

    # A token is revoked, never deleted: the audit log keeps pointing at it.
    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj._new_key = obj.new_key()
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # The key is shown on this page only, not put in a message: messages may travel in a cookie.
        context = {
            **self.admin_site.each_context(request),
            "token": obj,
            "key": obj._new_key,
            "opts": self.opts,
        }
        response = TemplateResponse(request, "api/token_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        revoking = list(queryset.filter(revoked_at__isnull=True))
        for token in revoking:
            token.revoke()
            self.log_change(request, token, "revoked")
        count = len(revoking)
        self.message_user(
            request, ngettext("%d token revoked.", "%d tokens revoked.", count) % count, messages.SUCCESS
        )


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "appeals", "signatures", "personal_data", "active", "created_at"]

    # The secret is made when the webhook is saved, so the add page has none to show yet.
    def get_readonly_fields(self, request, obj=None):
        return ["secret", "created_at"] if obj else []

    def get_exclude(self, request, obj=None):
        return [] if obj else ["secret", "created_at"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    """Each event for each webhook; how its sending went is on its message in the outbox."""

    list_display = ["created_at", "webhook", "event", "object_id", "delivery"]
    list_filter = ["event", "webhook"]

    @admin.display(description=_("delivery"))
    def delivery(self, delivery: WebhookDelivery):
        message = delivery.message()
        if message is None:
            return "—"
        url = reverse("admin:delivery_message_change", args=[message.pk])
        return format_html(
            '<a href="{}">{}</a> · {}', url, message.get_status_display(), message.last_error or ""
        )
