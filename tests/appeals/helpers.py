"""The supporter opens the link of the email that asks them to confirm their address."""

from uadesk.appeals.models import EmailConfirmation
from uadesk.appeals.services import Confirmed, appeals_confirm


def confirm(key) -> Confirmed:
    """Confirms the email given with the form of this key, as the link in that email does."""
    return appeals_confirm(EmailConfirmation.objects.get(submission=key).new_link_token())
