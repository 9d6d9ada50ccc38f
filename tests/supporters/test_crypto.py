"""Sealed addresses and their keyed hash: one person in any spelling, unreadable without the key."""

import pytest

from uadesk.supporters import crypto
from uadesk.supporters.models import Supporter


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("Ana.Silva+uyghur@GMail.com", "anasilva@gmail.com"),
        ("ana.silva@googlemail.com", "anasilva@gmail.com"),
        ("Ana+x@outlook.com", "ana@outlook.com"),
        # Elsewhere dots and plus tags may be different mailboxes: they stay.
        ("ana.silva+x@example.org", "ana.silva+x@example.org"),
        ("  ANA@Example.ORG. ", "ana@example.org"),
    ],
)
def test_normal_email(typed, normal):
    assert crypto.normal_email(typed) == normal


def test_hash_is_keyed(settings):
    settings.SUPPORTER_KEY = "one key"
    first = crypto.email_hash("ana@example.org")
    assert first == crypto.email_hash("ANA@example.org")
    settings.SUPPORTER_KEY = "another key"
    assert crypto.email_hash("ana@example.org") != first


def test_seal_round_trip_and_wrong_key(settings):
    settings.SUPPORTER_KEY = "one key"
    sealed = crypto.seal("ana@example.org")
    assert b"ana" not in sealed
    assert crypto.unseal(sealed) == "ana@example.org"
    assert crypto.seal("ana@example.org") != sealed  # a fresh nonce each time
    settings.SUPPORTER_KEY = "another key"
    with pytest.raises(crypto.SealError):
        crypto.unseal(sealed)


@pytest.mark.django_db
def test_for_email_finds_one_supporter_in_any_spelling():
    first = Supporter.for_email("Ana.Silva@gmail.com")
    again = Supporter.for_email("anasilva+petition@gmail.com")
    assert again.pk == first.pk
    assert Supporter.objects.count() == 1
    stored = Supporter.objects.get()
    assert stored.email == "Ana.Silva@gmail.com"  # as typed: that is where mail reaches them
    assert b"Silva" not in bytes(stored.email_sealed)
    assert Supporter.find("ANASILVA@gmail.com").pk == first.pk
    assert Supporter.find("someone@else.org") is None
