"""Every page of the staff desk writes to the audit log: the staff site gives each ModelAdmin this mixin."""

from django.contrib import admin

from . import audit


def change_detail(message) -> dict:
    """What the admin's change message says, without its text of the records: the names of the fields
    changed, and how many related rows (inlines) were added, changed or deleted. A message written by
    the desk's own code (an admin action's "Closed") is kept as its note."""
    if isinstance(message, str):
        return {"note": message[:1000]} if message else {}
    detail: dict = {}
    for part in message or []:
        for kind, what in part.items():
            fields = [str(field) for field in what.get("fields", [])]
            if "name" not in what:  # the record itself
                if fields:
                    detail.setdefault("fields", []).extend(fields)
                continue
            # Not what.get("object"): the text of an inline row may be a person's name.
            related = detail.setdefault("related", {}).setdefault(str(what["name"]), {})
            related[kind] = related.get(kind, 0) + 1
            if fields:
                related["fields"] = sorted({*related.get("fields", []), *fields})
    return detail


class AuditedAdmin:
    """The admin's own log (LogEntry, behind each record's History page) goes on as Django writes it;
    each addition, change and deletion is also written to the audit log as uadesk.<model>.<verb>.
    An admin names its own verbs with `audit_verbs`, e.g. {"deleted": "erased"}."""

    def audit(self, request, verb: str, obj, **detail):
        verb = getattr(self, "audit_verbs", {}).get(verb, verb)
        return audit.log(f"uadesk.{self.opts.model_name}.{verb}", user=request.user, obj=obj, **detail)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self.audit(request, "added", obj, **change_detail(message))
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self.audit(request, "changed", obj, **change_detail(message))
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in queryset:  # called before the deletion: the rows are still there
            self.audit(request, "deleted", obj)
        return entries


def audited(admin_class: type[admin.ModelAdmin]) -> type[admin.ModelAdmin]:
    """The admin class with the audit mixin first, so its log_* run before (and call) the class's own."""
    if issubclass(admin_class, AuditedAdmin):
        return admin_class
    namespace = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
    return type(admin_class.__name__, (AuditedAdmin, admin_class), namespace)


def list_filters(changelist) -> dict:
    """The filters of an admin list page, for its audit entry: those of the page's own filter menus and
    date bar with their values (a status, a section, a year); any other lookup typed into the address by
    its name only, as its value may be a person's (a postcode). Never the search term: it may be an
    address, and exact_address_search logs the look-up itself."""
    menus = {getattr(f, "parameter_name", f) for f in changelist.list_filter if isinstance(f, str | type)}
    menus |= {f[0] for f in changelist.list_filter if isinstance(f, tuple | list)}
    menus.add(changelist.date_hierarchy)
    shown = {}
    for key, values in sorted(changelist.get_filters_params().items()):
        if key.split("__")[0] in menus:
            shown[key] = values[0] if len(values) == 1 else list(values)
        else:
            shown[key] = "…"
    return shown
