"""The proof of work: solved challenges pass; forged, expired, replayed, wrong ones fail; no JS: slower."""

import re
import time

import pytest

from uadesk.petitions import pow
from uadesk.petitions.models import Submission

from .conftest import form_data


@pytest.fixture(autouse=True)
def small_pow(settings):
    settings.PETITION_POW_MAX_NUMBER = 500


def test_a_solved_challenge_gives_its_nonce():
    challenge = pow.challenge_make(scope="petition-1")
    checked = pow.challenge_check(challenge.token, str(pow.solve(challenge.token)), scope="petition-1")
    assert checked.solved and checked.nonce in challenge.salt


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (lambda t: t.replace(t.split(":")[1], "0" * 64), "forged"),  # another target hash
        (lambda t: t.replace(":500:", ":5:"), "forged"),  # an easier maximum
        (lambda t: t[:-4] + "abcd", "forged"),
        (lambda t: t.replace("petition-1.", "petition-2."), "forged"),
        (lambda t: "nonsense", "malformed"),
    ],
)
def test_a_tampered_challenge_is_refused(tamper, code):
    challenge = pow.challenge_make(scope="petition-1")
    with pytest.raises(pow.ChallengeError) as error:
        pow.challenge_check(tamper(challenge.token), str(pow.solve(challenge.token)), scope="petition-1")
    assert error.value.code == code


def test_a_challenge_for_another_petition_wrong_numbers_and_expiry_are_refused(settings):
    challenge = pow.challenge_make(scope="petition-1")
    number = pow.solve(challenge.token)
    for scope, given, now, code in [
        ("petition-2", str(number), None, "other_petition"),
        ("petition-1", str(number + 1), None, "wrong"),
        ("petition-1", "-1", None, "wrong"),
        ("petition-1", str(number), time.time() + settings.PETITION_CHALLENGE_SECONDS + 5, "expired"),
    ]:
        with pytest.raises(pow.ChallengeError) as error:
            pow.challenge_check(challenge.token, given, scope=scope, now=now)
        assert error.value.code == code


def test_the_page_refuses_a_forged_an_expired_and_a_replayed_form(client, petition, settings):
    url = petition.get_absolute_url()
    forged = form_data(client, petition)
    forged["work"] = str(int(forged["work"]) + 1)
    assert client.post(url, forged).status_code == 400

    settings.PETITION_CHALLENGE_SECONDS = -10  # issued already expired
    expired = form_data(client, petition)
    response = client.post(url, expired)
    assert response.status_code == 400 and "open too long" in response.content.decode()
    settings.PETITION_CHALLENGE_SECONDS = 3600

    data = form_data(client, petition)
    assert client.post(url, data).status_code == 302
    replay = client.post(url, data | {"name": "Someone Else"})
    assert replay.status_code == 400 and "already sent" in replay.content.decode()
    assert Submission.objects.count() == 1


def test_without_javascript_the_form_works_under_the_stricter_limit(client, petition, settings):
    settings.PETITION_NOJS_RATE_PER_ADDRESS = 2
    settings.PETITION_RATE_PER_ADDRESS = 100
    url = petition.get_absolute_url()
    for n in range(2):
        assert (
            client.post(url, form_data(client, petition, work="", email=f"p{n}@example.org")).status_code
            == 302
        )
    refused = client.post(url, form_data(client, petition, work="", email="p3@example.org"))
    assert refused.status_code == 429
    assert 'value="p3@example.org"' in refused.content.decode()
    # With the work done, the same connection may still sign.
    assert client.post(url, form_data(client, petition, email="p4@example.org")).status_code == 302
    assert Submission.objects.count() == 3


def test_the_rate_limit_per_address_holds_for_solved_forms_too(client, petition, settings):
    settings.PETITION_RATE_PER_ADDRESS = 3
    url = petition.get_absolute_url()
    codes = [
        client.post(url, form_data(client, petition, email=f"r{n}@example.org")).status_code for n in range(4)
    ]
    assert codes == [302, 302, 302, 429]


def test_the_script_is_served_from_the_desk_itself(client, petition):
    page = client.get(petition.get_absolute_url()).content.decode()
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', page)
    assert scripts == ["/static/petitions/pow.js"]
    assert "https://" not in page and "http://" not in page.replace("http://testserver", "")
