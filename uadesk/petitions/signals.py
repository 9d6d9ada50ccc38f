"""What the petitions app does when the actions app, which it builds on, signals a change."""

from uadesk.actions.models import Outcome, OutcomeNotice
from uadesk.actions.signals import outcome_recorded

from .models import Signature


def signers_told(sender, *, outcome: Outcome, **kwargs) -> None:
    """Supporters who signed a petition of the case, confirmed it, and asked for news of the case."""
    followers = (
        Signature.objects.filter(
            petition__action=outcome.action, confirmed_at__isnull=False, consent_case_updates=True,
            supporter__isnull=False,
        )
        .values_list("supporter", flat=True)
        .distinct()
    )  # fmt: skip
    OutcomeNotice.objects.bulk_create(
        [OutcomeNotice(outcome=outcome, supporter_id=pk) for pk in followers], ignore_conflicts=True
    )


def connect() -> None:
    outcome_recorded.connect(signers_told, sender=Outcome, dispatch_uid="petitions-outcome-news")
