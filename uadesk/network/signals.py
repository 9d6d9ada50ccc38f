"""Publishing drafts a mailing: a new action or an update when it is published, an outcome when recorded."""

from django.db.models.signals import post_save

from uadesk.actions.models import Action, Outcome

from .mailings import kind_of, mailing_draft
from .models import Mailing


def action_published(sender, instance: Action, **kwargs) -> None:
    if instance.status == Action.Status.PUBLISHED:
        mailing_draft(instance, kind=kind_of(instance))


def outcome_recorded(sender, instance: Outcome, created: bool, **kwargs) -> None:
    if created and instance.action.status != Action.Status.DRAFT:
        mailing_draft(instance.action, kind=Mailing.Kind.OUTCOME, outcome=instance)


def connect() -> None:
    post_save.connect(action_published, sender=Action, dispatch_uid="network.action_published")
    post_save.connect(outcome_recorded, sender=Outcome, dispatch_uid="network.outcome_recorded")
