"""The proof of work before signing (the ALTCHA scheme), issued and checked by the desk itself.

The desk picks a secret number up to a maximum and gives the browser sha256(salt + number) with an
HMAC of it; the browser tries numbers until the hash matches. A person waits a second once; a bot
pays that for every form. The salt names the petition and the expiry, and carries a nonce that the
signing queue's unique column spends once.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.crypto import salted_hmac


class ChallengeError(ValueError):
    """A challenge or solution the desk did not issue, or one past its time. `code` says which."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Challenge:
    salt: str
    challenge: str
    signature: str
    max_number: int

    @property
    def token(self) -> str:
        """What the form carries: the browser needs the salt, the target hash and the maximum."""
        return f"{self.salt}:{self.challenge}:{self.max_number}:{self.signature}"


def _sign(salt: str, challenge: str, max_number: int) -> str:
    return salted_hmac(
        "uadesk.petitions.pow", f"{salt}:{challenge}:{max_number}", algorithm="sha256"
    ).hexdigest()


def _hash(salt: str, number: int) -> str:
    return hashlib.sha256(f"{salt}{number}".encode()).hexdigest()


def challenge_make(*, scope: str, max_number: int | None = None, now: float | None = None) -> Challenge:
    max_number = settings.PETITION_POW_MAX_NUMBER if max_number is None else max_number
    expires = int((now or time.time()) + settings.PETITION_CHALLENGE_SECONDS)
    salt = f"{scope}.{expires}.{secrets.token_hex(16)}."
    challenge = _hash(salt, secrets.randbelow(max_number + 1))
    return Challenge(salt, challenge, _sign(salt, challenge, max_number), max_number)


def solve(token: str) -> int:
    """Finds the number, as the browser does (for tests and the benchmark's load generator)."""
    salt, challenge, max_number, _ = token.split(":")
    for number in range(int(max_number) + 1):
        if _hash(salt, number) == challenge:
            return number
    raise ChallengeError("unsolvable")


@dataclass(frozen=True)
class Checked:
    nonce: str
    expires: int
    solved: bool


def challenge_check(token: str, number: str | None, *, scope: str, now: float | None = None) -> Checked:
    """The nonce of a challenge this desk issued for `scope` and that has not expired.

    `solved` says whether `number` solves it; with no number at all the form came without
    JavaScript and takes the slower path. A wrong number is an error, like a forged challenge."""
    try:
        salt, challenge, max_number, signature = token.split(":")
        name, expires, nonce, _ = salt.split(".")
        expires_at, maximum = int(expires), int(max_number)
    except ValueError:
        raise ChallengeError("malformed") from None
    if not hmac.compare_digest(signature, _sign(salt, challenge, maximum)):
        raise ChallengeError("forged")
    if name != scope:
        raise ChallengeError("other_petition")
    if expires_at < (now or time.time()):
        raise ChallengeError("expired")
    if not number:
        return Checked(nonce, expires_at, solved=False)
    if (
        not number.isdigit()
        or len(number) > 12
        or not hmac.compare_digest(_hash(salt, int(number)), challenge)
    ):
        raise ChallengeError("wrong")
    return Checked(nonce, expires_at, solved=True)
