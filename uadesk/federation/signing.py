"""Ed25519 signatures on what desks send each other: which desk sent it, unchanged, and not replayed.

Knows nothing of Django. A signature covers the method, the path with its query, the time it was made,
a nonce and the body's SHA-256; an answer is signed over its request's nonce, so an old answer cannot
be served for a new request. The header: `Uadesk-Signature: created=1733400000;nonce=...;sig=...`.
"""

import base64
import binascii
import hashlib
import secrets
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HEADER = "Uadesk-Signature"
KEY_PREFIX = "ed25519:"
# How far a signature's time may be from the receiver's clock: a delayed request is refused, and the
# receiver keeps each nonce this long to refuse the same request sent twice.
MAX_AGE_SECONDS = 300


class SignatureError(ValueError):
    """A signature missing, malformed, made by another key, too old, or over other content."""


@dataclass(frozen=True)
class Signed:
    created: int
    nonce: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise SignatureError("not base64") from None


def private_key_from_seed(seed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key as desks show it to each other: `ed25519:` and 43 characters."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return KEY_PREFIX + _b64(raw)


def public_key(text: str) -> Ed25519PublicKey:
    text = (text or "").strip()
    if not text.startswith(KEY_PREFIX):
        raise SignatureError(f"a desk's key starts with {KEY_PREFIX}")
    raw = _unb64(text[len(KEY_PREFIX) :])
    if len(raw) != 32:
        raise SignatureError("a desk's key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def _message(method: str, target: str, created: int, nonce: str, body: bytes) -> bytes:
    return "\n".join(
        ["uadesk-signature-v1", method.upper(), target, str(created), nonce, hashlib.sha256(body).hexdigest()]
    ).encode()


def new_nonce() -> str:
    return secrets.token_hex(16)


def sign(
    key: Ed25519PrivateKey, *, method: str, target: str, body: bytes = b"", nonce: str | None = None,
    created: int | None = None,
) -> str:  # fmt: skip
    """The header's value for a request (method and path) or an answer ("ANSWER" and its request's nonce)."""
    created = int(time.time()) if created is None else created
    nonce = nonce or new_nonce()
    signature = key.sign(_message(method, target, created, nonce, body))
    return f"created={created};nonce={nonce};sig={_b64(signature)}"


def parse(header: str) -> tuple[int, str, bytes]:
    fields = {}
    for part in (header or "").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            fields[name] = value
    if not {"created", "nonce", "sig"} <= fields.keys():
        raise SignatureError(f"no {HEADER} header, or one without created, nonce and sig")
    if not fields["created"].isdigit() or not 16 <= len(fields["nonce"]) <= 64:
        raise SignatureError(f"a malformed {HEADER} header")
    return int(fields["created"]), fields["nonce"], _unb64(fields["sig"])


def verify(
    header: str, key: Ed25519PublicKey, *, method: str, target: str, body: bytes = b"",
    nonce: str | None = None, now: float | None = None,
) -> Signed:  # fmt: skip
    """The signature's time and nonce when `key` signed exactly this; SignatureError otherwise. `nonce`:
    the one the answer must be signed over (the request's)."""
    created, signed_nonce, signature = parse(header)
    if nonce is not None and signed_nonce != nonce:
        raise SignatureError("the answer is not to this request")
    now = time.time() if now is None else now
    if abs(now - created) > MAX_AGE_SECONDS:
        raise SignatureError("the signature is too old, or the clocks differ by more than five minutes")
    try:
        key.verify(signature, _message(method, target, created, signed_nonce, body))
    except InvalidSignature:
        raise SignatureError("the signature does not match: another desk's key, or changed content") from None
    return Signed(created, signed_nonce)
