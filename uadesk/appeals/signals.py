"""What the appeals app does when the actions app, which it builds on, signals a change."""

from uadesk.actions.models import Outcome, OutcomeNotice, Target
from uadesk.actions.signals import outcome_recorded, target_redirected

from .services import appeals_hold_for_target


def target_letters_hold(sender, *, target: Target, **kwargs) -> int:
    return appeals_hold_for_target(target=target)


def letter_writers_told(sender, *, outcome: Outcome, **kwargs) -> None:
    """Supporters who wrote for the case and asked for its news, once they confirmed their email."""
    followers = (
        outcome.action.appeals.filter(wants_updates=True, supporter__isnull=False)
        .values_list("supporter", flat=True)
        .distinct()
    )
    OutcomeNotice.objects.bulk_create(
        [OutcomeNotice(outcome=outcome, supporter_id=pk) for pk in followers], ignore_conflicts=True
    )


def connect() -> None:
    target_redirected.connect(target_letters_hold, sender=Target, dispatch_uid="appeals-hold-on-redirect")
    outcome_recorded.connect(letter_writers_told, sender=Outcome, dispatch_uid="appeals-outcome-news")
