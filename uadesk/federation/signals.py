"""A change to anything of an action moves its updated_at, so the feed serves it to the sections again."""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone


def _touch(sender, instance, **kwargs) -> None:
    from uadesk.actions.models import Action

    # A section's own targets, letters and translations are its business, not the office's feed's.
    if getattr(instance, "localisation_id", None) is not None or not instance.action_id:
        return
    Action.objects.filter(pk=instance.action_id).update(updated_at=timezone.now())


def connect() -> None:
    from uadesk.actions.models import Individual, ModelLetter, Outcome, Target, Translation

    for model in (Individual, ModelLetter, Outcome, Target, Translation):
        post_save.connect(_touch, sender=model, dispatch_uid=f"federation-touch-{model.__name__}")
        post_delete.connect(_touch, sender=model, dispatch_uid=f"federation-touch-del-{model.__name__}")
