"""Staff link desks: an office gives a section's desk access, a section subscribes to its office, and
both see what came and went (docs/federation.md)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from uadesk.staff.readonly import ReadOnlyAdmin

from . import signing
from .keys import desk_public_text
from .models import FeedEntry, SectionAccess, SectionReport, Subscription
from .services import subscription_checked, subscription_saved
from .tasks import federation_pull


class DeskKeyShown:
    """This desk's own key above the list, for staff to give to the other desk."""

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "desk_key": desk_public_text()})


class SectionAccessForm(forms.ModelForm):
    class Meta:
        model = SectionAccess
        fields = ["section", "desk_key", "scope_feed", "scope_report"]

    def clean_desk_key(self):
        try:
            signing.public_key(self.cleaned_data["desk_key"])
        except signing.SignatureError as error:
            raise ValidationError(_("Not a desk's key: %(reason)s.") % {"reason": error}) from None
        return self.cleaned_data["desk_key"].strip()


@admin.register(SectionAccess)
class SectionAccessAdmin(DeskKeyShown, admin.ModelAdmin):
    form = SectionAccessForm
    list_display = [
        "section",
        "prefix",
        "scope_feed",
        "scope_report",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["section", ("revoked_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["section", "desk_key", "scope_feed", "scope_report", *(self.readonly_fields if obj else [])]

    def get_readonly_fields(self, request, obj=None):
        # An access is revoked and another given, never edited: the section's key and token go together.
        return [*self.readonly_fields, "section", "desk_key"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the audit log keeps pointing at it

    def save_model(self, request, obj, form, change):
        if not change:
            obj._new_token = obj.new_token()
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # The token is shown on this page only, not in a message: messages may travel in a cookie.
        context = {**self.admin_site.each_context(request), "access": obj, "token": obj._new_token,
                   "desk_key": desk_public_text(), "opts": self.opts}  # fmt: skip
        response = TemplateResponse(request, "federation/access_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected access"), permissions=["change"])
    def revoke(self, request, queryset):
        revoking = list(queryset.filter(revoked_at__isnull=True))
        for access in revoking:
            access.revoke()
            self.log_change(request, access, "revoked")
        count = len(revoking)
        self.message_user(request, ngettext("%d access revoked.", "%d accesses revoked.", count) % count)


class SubscriptionForm(forms.ModelForm):
    token = forms.CharField(label=_("token"), help_text=_("The one the office desk gave, “uadf_…”."),
                            widget=forms.PasswordInput(render_value=False))  # fmt: skip

    class Meta:
        model = Subscription
        fields = ["name", "feed_url", "section", "office_key"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # Checked by a signed first page: a wrong address, token or key is said here, and nothing kept.
        self.instance = subscription_checked(
            name=data["name"], feed_url=data["feed_url"], token=data["token"], office_key=data["office_key"],
            section=data["section"],
        )  # fmt: skip
        return data


@admin.register(Subscription)
class SubscriptionAdmin(DeskKeyShown, admin.ModelAdmin):
    list_display = ["name", "feed_url", "section", "pulled_at", "failures", "last_error"]
    readonly_fields = ["pulled_at", "failures", "last_error", "created_at"]
    actions = ["pull_now"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["fields"] = ["name"]
            return super().get_form(request, obj, change, **kwargs)
        return super().get_form(request, obj, change, form=SubscriptionForm, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            subscription_saved(obj, user=request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "feed_url", "section", "token", "office_key"]
        return ["name", "feed_url", "section", "office_key", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # A new address, token or key is a new subscription, checked again; the old one is deleted.
        return [*self.readonly_fields, "feed_url", "section", "office_key"] if obj else []

    @admin.action(description=_("Pull the feed now"), permissions=["change"])
    def pull_now(self, request, queryset):
        federation_pull.enqueue()
        self.message_user(request, _("The feeds will be pulled within a minute."), messages.SUCCESS)


@admin.register(FeedEntry)
class FeedEntryAdmin(ReadOnlyAdmin):
    list_display = ["action", "subscription", "remote_id", "pulled_at", "changed_fields", "reported_at",
                    "final_reported_at"]  # fmt: skip
    list_filter = ["subscription"]
    search_fields = ["action__title"]
    fields = ["action", "subscription", "remote_id", "remote_updated_at", "pulled_at", "changed_fields",
              "reported_at", "final_reported_at"]  # fmt: skip


@admin.register(SectionReport)
class SectionReportAdmin(ReadOnlyAdmin):
    list_display = ["action", "section", "counted_at", "received_at", "final", "members_mailed", "signatures"]
    list_filter = ["section", "final"]
    search_fields = ["action__title"]
