"""What the tests of sections share: a section, a member of a network, and a staff account of a section."""

from django.contrib.auth.models import Group

from uadesk.actions.models import Section
from uadesk.network.models import Member
from uadesk.staff.models import StaffSection
from uadesk.staff.roles import roles_sync
from uadesk.supporters.models import Supporter


def section_make(code: str, name: str) -> Section:
    return Section.objects.create(code=code, name=name, country=code.upper())


def member_in(email: str, section: Section | None = None, *, status: str = "active", **fields) -> Member:
    """A member of the network of `section` (None: the office's), their supporter made if new."""
    fields.setdefault("languages", "en")
    found = Member(supporter=Supporter.for_email(email), section=section, status=status, **fields)
    if fields.get("channel") == "post":
        found.postal_address = f"Dora Schmidt\n1 Hauptstraße\n10115 Berlin ({email.split('@')[0]})"
    found.save()
    return found


def staff_make(django_user_model, username: str, *, section: Section | None = None, role: str = "Editor"):
    """A staff account with a role; with a section, it works for that section, else for the office."""
    roles_sync()
    user = django_user_model.objects.create_user(username, email=f"{username}@desk.example", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    if section is not None:
        StaffSection.objects.create(user=user, section=section)
    return user
