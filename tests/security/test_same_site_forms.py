"""The language switch and the reminder carry no CSRF token (uadesk/security.py, same_site_form): a post
a browser says came from another site is refused, one from this site or with no such header is taken."""

import pytest
from django.test import Client
from django.urls import reverse

from uadesk.actions.models import Reminder

pytestmark = pytest.mark.django_db

OTHER_SITE = [
    {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "https://elsewhere.example"},
    {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "https://news.uadesk.example"},  # a sibling host
    {"HTTP_ORIGIN": "https://elsewhere.example"},  # a browser that sends Origin only
    {"HTTP_ORIGIN": "null"},  # a sandboxed frame, a page opened from a file
]
THIS_SITE = [
    {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},
    {"HTTP_ORIGIN": "http://testserver"},
    {"HTTP_SEC_FETCH_SITE": "none"},  # typed into the address bar
    {},  # an old browser, or a script: it could post the form from anywhere anyway
]


@pytest.fixture
def browser(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("headers", OTHER_SITE)
def test_a_form_posted_from_another_site_is_refused_and_does_nothing(browser, open_action, headers):
    remind = reverse("supporters:remind", args=[open_action.slug])
    refused = browser.post(remind, {"email": "ada@example.org"}, **headers)
    assert refused.status_code == 403 and not Reminder.objects.exists()
    switch = browser.post(reverse("set_language"), {"language": "fr", "next": "/fr/"}, **headers)
    assert switch.status_code == 403 and not browser.cookies


@pytest.mark.parametrize("headers", THIS_SITE)
def test_a_form_posted_from_this_site_is_taken_without_a_token(browser, open_action, headers):
    remind = reverse("supporters:remind", args=[open_action.slug])
    taken = browser.post(remind, {"email": "ada@example.org"}, **headers)
    assert taken.status_code == 200 and Reminder.objects.filter(action=open_action).count() == 1
    switch = browser.post(reverse("set_language"), {"language": "fr", "next": "/fr/"}, **headers)
    assert switch.status_code == 302 and browser.cookies["django_language"].value == "fr"


def test_a_trusted_origin_in_front_of_the_desk_is_this_site(browser, open_action, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://ua.example.org"]
    switch = browser.post(
        reverse("set_language"), {"language": "fr", "next": "/fr/"}, HTTP_ORIGIN="https://ua.example.org"
    )
    assert switch.status_code == 302
