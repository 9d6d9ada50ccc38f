"""Second factors are issued, not taken: an administrator (or whoever runs the desk's command line)
makes a one-time set-up link for a staff member, who opens it after signing in with their password."""

import datetime
import hashlib

from django.core import signing
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

SALT = "uadesk.staff.enrolment"
# Long enough to reach a new colleague by another channel, short enough not to lie about for long.
ENROLMENT_MAX_AGE = datetime.timedelta(days=7)


def needs_enrolment(user) -> bool:
    return not TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def _key_digest(device: TOTPDevice) -> str:
    return hashlib.sha256(device.key.encode()).hexdigest()[:16]


def enrolment_issue(user) -> str:
    """A new authenticator, waiting for its owner, and the path of its set-up page. An earlier link of
    theirs stops working; the path holds no secret of the device, only a signed reference to it."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    token = signing.dumps([user.pk, device.pk, _key_digest(device)], salt=SALT, compress=True)
    return reverse("admin:two_factor_setup", args=[token])


def enrolment_device(token: str, user) -> TOTPDevice | None:
    """The device this link set up for this user, if the link is theirs, unexpired and not yet used."""
    try:
        user_pk, device_pk, digest = signing.loads(token, salt=SALT, max_age=ENROLMENT_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if user_pk != user.pk:
        return None
    device = TOTPDevice.objects.filter(pk=device_pk, user=user, confirmed=False).first()
    return device if device is not None and _key_digest(device) == digest else None
