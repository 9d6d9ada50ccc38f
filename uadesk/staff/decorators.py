"""The gate of staff pages outside the admin: an active staff member who has passed the second factor."""

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import user_passes_test


def staff_required(view):
    return user_passes_test(
        lambda user: user.is_active and user.is_staff and user.is_verified(),
        login_url="admin:login",
        redirect_field_name=REDIRECT_FIELD_NAME,
    )(view)
