"""This desk's own signing key: from DESK_SIGNING_KEY, or derived from SECRET_KEY when none is set."""

import base64
import binascii
from functools import cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from . import signing


@cache
def _key(configured: str | None, secret_key: str) -> Ed25519PrivateKey:
    if configured:
        try:
            seed = base64.urlsafe_b64decode(configured + "=" * (-len(configured) % 4))
        except (binascii.Error, ValueError):
            seed = b""
        if len(seed) != 32:
            raise ImproperlyConfigured(
                "DESK_SIGNING_KEY must be 32 random bytes in base64url "
                "(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
    else:
        # Derived, so a desk that sets nothing new still signs with a key of its own that survives
        # restarts; it changes with SECRET_KEY, and the sections must then be given the new one.
        derive = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=b"uadesk.federation", info=b"desk signing key"
        )
        seed = derive.derive(secret_key.encode())
    return signing.private_key_from_seed(seed)


def desk_key() -> Ed25519PrivateKey:
    return _key(settings.DESK_SIGNING_KEY, settings.SECRET_KEY)


def desk_public_text() -> str:
    return signing.public_text(desk_key())
