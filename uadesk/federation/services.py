"""Linking two desks: the office grants a section desk access, the section subscribes with it."""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from uadesk.actions.models import Section
from uadesk.staff import audit

from . import signing
from .models import SectionAccess, Subscription
from .pull import PullError, feed_get


def _via(user) -> str:
    return audit.Via.DESK if user is not None else audit.Via.COMMAND


def key_checked(text: str, field: str) -> str:
    try:
        signing.public_key(text)
    except signing.SignatureError as error:
        raise ValidationError({field: f"Not a desk's key: {error}."}) from None
    return text.strip()


def access_grant(*, section: Section, desk_key: str, user=None) -> tuple[SectionAccess, str]:
    """A new access for the section's desk and its token, shown this once."""
    access = SectionAccess(section=section, desk_key=key_checked(desk_key, "desk_key"), created_by=user)
    token = access.new_token()
    with transaction.atomic():
        access.save()
        audit.log("uadesk.federation.grant", user=user, via=_via(user), obj=access, section=section.code)
    return access, token


def subscription_checked(
    *, name: str, feed_url: str, token: str, office_key: str, section: Section
) -> Subscription:
    """The subscription, not yet saved, once a first signed page of the feed proves its address, token
    and key right; a ValidationError on the field that is wrong otherwise."""
    try:
        URLValidator(schemes=["http", "https"])(feed_url)
    except ValidationError:
        raise ValidationError({"feed_url": "The feed's address starts with http:// or https://."}) from None
    subscription = Subscription(
        name=name or feed_url,
        feed_url=feed_url,
        section=section,
        office_key=key_checked(office_key, "office_key"),
    )
    subscription.set_token(token)
    try:
        feed_get(subscription, "")
    except PullError as error:
        raise ValidationError({"feed_url": f"The feed could not be read: {error}."}) from None
    return subscription


def subscription_saved(subscription: Subscription, *, user=None) -> Subscription:
    with transaction.atomic():
        subscription.save()
        audit.log("uadesk.federation.subscribe", user=user, via=_via(user), obj=subscription)
    return subscription


def subscription_create(*, user=None, **fields) -> Subscription:
    return subscription_saved(subscription_checked(**fields), user=user)
