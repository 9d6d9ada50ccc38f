"""The signatures desks put on what they send: made by one key, over exactly this content, now."""

import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from uadesk.federation import signing

KEY = Ed25519PrivateKey.generate()
PUBLIC = signing.public_key(signing.public_text(KEY))


def signed(**changes):
    fields = {"method": "POST", "target": "/federation/reports", "body": b'{"action_id": 1}'}
    header = signing.sign(KEY, **fields)
    return header, fields | changes


def test_a_signature_checks_with_the_key_that_made_it():
    header, fields = signed()
    result = signing.verify(header, PUBLIC, **fields)
    assert abs(result.created - time.time()) < 5 and len(result.nonce) == 32


@pytest.mark.parametrize(
    "changes",
    [{"body": b'{"action_id": 2}'}, {"target": "/federation/feed"}, {"method": "GET"}],
    ids=["body", "path", "method"],
)
def test_a_signature_over_other_content_is_refused(changes):
    header, fields = signed(**changes)
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify(header, PUBLIC, **fields)


def test_another_desks_key_is_refused():
    header, fields = signed()
    other = signing.public_key(signing.public_text(Ed25519PrivateKey.generate()))
    with pytest.raises(signing.SignatureError, match="does not match"):
        signing.verify(header, other, **fields)


def test_an_old_signature_is_refused_even_when_right():
    header = signing.sign(KEY, method="GET", target="/f", created=int(time.time()) - 301)
    with pytest.raises(signing.SignatureError, match="too old"):
        signing.verify(header, PUBLIC, method="GET", target="/f")


def test_an_answer_is_bound_to_its_request_nonce():
    nonce = signing.new_nonce()
    header = signing.sign(KEY, method="ANSWER", target="/f", body=b"x", nonce=nonce)
    assert signing.verify(header, PUBLIC, method="ANSWER", target="/f", body=b"x", nonce=nonce).nonce == nonce
    with pytest.raises(signing.SignatureError, match="not to this request"):
        signing.verify(header, PUBLIC, method="ANSWER", target="/f", body=b"x", nonce=signing.new_nonce())


@pytest.mark.parametrize(
    "header",
    ["", "created=1;nonce=x", "created=abc;nonce=0123456789abcdef;sig=AA", "created=1;nonce=short;sig=AA"],
)
def test_a_malformed_header_is_refused_with_a_reason(header):
    with pytest.raises(signing.SignatureError):
        signing.verify(header, PUBLIC, method="GET", target="/f")


@pytest.mark.parametrize("text", ["", "ssh-ed25519 AAAA", "ed25519:short", "ed25519:" + "!" * 43])
def test_a_key_that_is_not_one_is_refused(text):
    with pytest.raises(signing.SignatureError):
        signing.public_key(text)
