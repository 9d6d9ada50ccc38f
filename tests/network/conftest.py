"""Fixtures of the network's tests."""

import pytest

from tests.conftest import staff_login


@pytest.fixture
def staff_user(django_user_model):
    """A staff member with the Editor role, as campaign staff who mail the network have."""
    from django.contrib.auth.models import Group

    from uadesk.staff.roles import roles_sync

    roles_sync()
    user = django_user_model.objects.create_user("mira", email="mira@office.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


@pytest.fixture
def editor_client(client, staff_user):
    return staff_login(client, staff_user)
