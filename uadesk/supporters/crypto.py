"""Supporters' email addresses: sealed with AES-GCM at rest, found by a keyed hash of their normal form."""

import hashlib
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# Providers that deliver "a.b+news@" to "ab@": one person, one signature. Dots count only at Google.
_IGNORE_DOTS = {"gmail.com", "googlemail.com"}
_IGNORE_PLUS = _IGNORE_DOTS | {
    "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com", "mac.com",
    "fastmail.com", "fastmail.fm", "proton.me", "protonmail.com", "pm.me", "yandex.ru", "yandex.com",
}  # fmt: skip
_CANONICAL_DOMAIN = {"googlemail.com": "gmail.com"}


class SealError(ValueError):
    """A sealed value that this desk's key cannot open: another desk's data, or tampered with."""


def normal_email(email: str) -> str:
    """The one form of an address that every spelling of it shares: the key for deduplication."""
    local, _, domain = email.strip().rpartition("@")
    domain = domain.lower().rstrip(".")
    domain = _CANONICAL_DOMAIN.get(domain, domain)
    local = local.lower()
    if domain in _IGNORE_PLUS:
        local = local.split("+", 1)[0]
    if domain in _IGNORE_DOTS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


@cache
def _keys(secret: str) -> tuple[bytes, bytes]:
    # Two independent keys from one secret: a leaked hash key must not open the sealed addresses.
    derived = HKDF(algorithm=hashes.SHA256(), length=64, salt=b"uadesk.supporters", info=b"seal+lookup")
    material = derived.derive(secret.encode())
    return material[:32], material[32:]


def email_hash(email: str) -> str:
    """The keyed hash of the address's normal form: equal for one person, useless without the key."""
    _, lookup_key = _keys(settings.SUPPORTER_KEY)
    return hmac.new(lookup_key, normal_email(email).encode(), hashlib.sha256).hexdigest()


def seal(text: str) -> bytes:
    seal_key, _ = _keys(settings.SUPPORTER_KEY)
    nonce = os.urandom(12)
    return nonce + AESGCM(seal_key).encrypt(nonce, text.encode(), b"uadesk.supporter")


def unseal(sealed: bytes) -> str:
    seal_key, _ = _keys(settings.SUPPORTER_KEY)
    sealed = bytes(sealed)
    try:
        return AESGCM(seal_key).decrypt(sealed[:12], sealed[12:], b"uadesk.supporter").decode()
    except (InvalidTag, ValueError) as error:
        raise SealError("this address was sealed with another key") from error
