"""The staff roles, as Django groups kept in step with the code: administrator, editor, analyst, support."""

from django.utils.translation import gettext_lazy as _

# The role that runs the desk itself; the home and the menu show it the sections of Django's and other
# apps (accounts, sign-in locks, the task queue), which no other role needs.
ADMINISTRATOR = str(_("Administrator"))

# Role -> the permissions it holds, as "app_label.codename"; a trailing "*" takes every permission of
# that app, "view_*" every view permission. Permissions of apps not installed are left out.
ROLES: dict[str, list[str]] = {
    # Everything; they also manage staff accounts and roles, and read the audit log (staff.view_auditentry),
    # which no other role sees: it names staff and tokens.
    ADMINISTRATOR: ["*"],
    # Actions, targets and letters, the import of UA documents, outcomes, and the review queue of letters;
    # the network's members (no addresses: an exact one finds a member, logged), their CSV import (add),
    # the themes (actions.*), the count of addresses never to mail, and mailing a bounced one again.
    str(_("Editor")): [
        "actions.*",
        "appeals.view_appeal",
        "appeals.change_appeal",
        "appeals.view_reply",
        "petitions.view_petition",
        "petitions.add_petition",
        "petitions.change_petition",
        "events.*",
        # The network: its members (their addresses for the print run; imports) and the mailings of each
        # case to them: audience, preview, test, send, pause, cancel.
        "network.view_member",
        "network.add_member",
        "network.view_suppression",
        "network.lift_suppression",
        "network.view_mailing",
        "network.change_mailing",
    ],
    # Dashboards and counts, never a supporter's name, email or letter.
    str(_("Analyst")): [
        "reports.view_reports",
        "actions.view_action",
        "actions.view_campaign",
        "network.view_mailing",
    ],
    # Local groups: they make letter-writing events, print the pack and count their letters, no more.
    str(_("Organisers")): ["events.add_event", "events.change_event", "events.view_event"],
    # Supporters' requests about their data: find, show, erase.
    str(_("Support")): [
        "supporters.view_supporter",
        "supporters.delete_supporter",
        "supporters.view_erasure",
    ],
}


def role_permissions(spec: list[str]):
    from django.contrib.auth.models import Permission

    chosen = Permission.objects.none()
    for entry in spec:
        if entry == "*":
            return Permission.objects.all()
        app_label, _, codename = entry.partition(".")
        if codename == "*":
            chosen |= Permission.objects.filter(content_type__app_label=app_label)
        elif codename.endswith("*"):
            chosen |= Permission.objects.filter(
                content_type__app_label=app_label, codename__startswith=codename[:-1]
            )
        else:
            chosen |= Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return chosen


def roles_sync(**kwargs) -> None:
    """Each role's group holds exactly the permissions listed above."""
    from django.contrib.auth.models import Group

    for name, spec in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(role_permissions(spec))
