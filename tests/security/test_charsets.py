"""A form posted in another character set than UTF-8 is refused with a 400, not an empty 500."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db
CSRF = "a" * 32


def post(url, charset, body="email=ana%40example.org"):
    # With the CSRF cookie, as a browser that has seen a page of the desk: the error page's own
    # CSRF check read the form a second time.
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = CSRF
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    return client.post(url, data=body, content_type=content_type, HTTP_X_CSRFTOKEN=CSRF)


@pytest.mark.parametrize("charset", ["utf-16", "UTF-32", "latin-1", "cp037"])
def test_a_form_in_another_charset_is_a_bad_request(charset, petition):
    for url in [reverse("supporters:link"), petition.get_absolute_url()]:
        response = post(url, charset)
        assert response.status_code == 400, (url, response.status_code)
        assert b"Bad Request (400)" in response.content


def test_a_form_that_says_utf_8_is_read(petition):
    assert post(reverse("supporters:link"), "UTF-8").status_code == 302
