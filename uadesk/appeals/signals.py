"""What the appeals app does when the actions app, which it builds on, signals a change."""

from uadesk.actions.models import Target
from uadesk.actions.signals import target_redirected

from .services import appeals_hold_for_target


def target_letters_hold(sender, *, target: Target, **kwargs) -> int:
    return appeals_hold_for_target(target=target)


def connect() -> None:
    target_redirected.connect(target_letters_hold, sender=Target, dispatch_uid="appeals-hold-on-redirect")
