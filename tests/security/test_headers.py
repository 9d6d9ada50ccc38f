"""Every response carries the security headers, and no page of ours needs what the CSP forbids."""

import datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import at

pytestmark = pytest.mark.django_db
OPEN_DAY = datetime.date(2022, 9, 1)
TEMPLATE_ROOT = Path(__file__).resolve().parents[2] / "uadesk"


def assert_secure_headers(response, *, page=True):
    csp = {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    }
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no nonce, no other origin
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert not any("http" in value or value == "*" for values in csp.values() for value in values)
    if page:  # WhiteNoise answers static files before the clickjacking middleware; frame-ancestors holds
        assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(item.split("=") for item in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert policy[feature] == "()"


class InlineCode(HTMLParser):
    """What a strict CSP would block in a page: inline scripts, <style>, style="", on*="", javascript:."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs.items():
            if name == "style" or name.startswith("on"):
                self.found.append(f'{tag} {name}="{value}"')
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag} {name}=javascript:")


def assert_no_inline_code(response):
    parser = InlineCode()
    parser.feed(response.content.decode())
    assert parser.found == []


def test_public_pages(client, seed_action):
    urls = [
        reverse("actions:list"),
        seed_action.get_absolute_url(),
        reverse("appeals:compose", kwargs={"slug": seed_action.slug}),
        reverse("supporters:link"),
        "/zh-hans/",
    ]
    with at(OPEN_DAY):
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_secure_headers(response)
            assert_no_inline_code(response)


def test_staff_pages_and_admin(client, staff_client, seed_action):
    login = client.get(reverse("admin:login"))
    assert_secure_headers(login)
    assert_no_inline_code(login)
    urls = [
        reverse("admin:index"),
        reverse("admin:actions_action_changelist"),
        reverse("admin:actions_action_change", args=[seed_action.pk]),
        reverse("admin:actions_action_add"),
        reverse("admin:appeals_appeal_changelist"),
        reverse("ingest"),
        reverse("reports:all"),
        reverse("reports:action", kwargs={"slug": seed_action.slug}),
    ]
    with at(OPEN_DAY):
        for url in urls:
            response = staff_client.get(url)
            assert response.status_code == 200, url
            assert_secure_headers(response)
            assert_no_inline_code(response)


def test_the_reports_stylesheet_is_a_file_the_policy_allows(staff_client, seed_action):
    html = staff_client.get(reverse("reports:all")).content.decode()
    assert "/static/reports/dashboard.css" in html


def test_not_found_and_non_html_responses(client, seed_action):
    for response in (
        client.get("/no-such-page/"),
        client.get(reverse("health")),
        client.get(reverse("appeals:compose", kwargs={"slug": "no-such-action"})),
    ):
        assert_secure_headers(response)
    assert client.get("/no-such-page/").status_code == 404


def test_static_files_carry_the_headers_too(client):
    response = client.get("/static/uadesk/site.css")
    assert response.status_code == 200
    assert_secure_headers(response, page=False)
    response.close()


def test_cookies_are_http_only(client, seed_action):
    with at(OPEN_DAY):
        client.get(reverse("appeals:compose", kwargs={"slug": seed_action.slug}))
    assert client.cookies["csrftoken"]["httponly"] is True
    client.post(reverse("admin:login"), {"username": "nobody", "password": "x"})
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("owner", password="a long staff password", is_staff=True)
    response = client.post(
        reverse("admin:login"),
        {"username": "owner", "password": "a long staff password", "next": reverse("admin:index")},
    )
    assert response.status_code == 302
    assert client.cookies["sessionid"]["httponly"] is True


def test_admin_login_works_with_csrf_checks_and_the_http_only_cookie(seed_action):
    """The token comes from the form, not from the cookie by script: the real CSRF check passes."""
    import re

    from django.contrib.auth import get_user_model
    from django.test import Client

    get_user_model().objects.create_user("owner", password="a long staff password", is_staff=True)
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(reverse("admin:login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(
        reverse("admin:login"),
        {"username": "owner", "password": "a long staff password", "csrfmiddlewaretoken": token},
        headers={"Origin": "http://testserver"},
    )
    assert response.status_code == 302
    # Signed in with the password; a new staff member is then held on setting up the second factor.
    assert browser.get(reverse("admin:index"))["Location"] == reverse("admin:two_factor")
    assert browser.get(reverse("admin:two_factor")).status_code == 200


def test_no_template_has_inline_code():
    """The CSP would block it in the browser; email bodies are exempt (mail clients need inline style)."""
    offenders = []
    for path in sorted(TEMPLATE_ROOT.rglob("templates/**/*.html")):
        if "emails" in path.parts:
            continue
        parser = InlineCode()
        parser.feed(path.read_text())
        offenders += [f"{path.relative_to(TEMPLATE_ROOT)}: {what}" for what in parser.found]
    assert offenders == []


def test_hsts_on_https_in_production(client, settings, seed_action):
    # Production's values (test_deploy checks settings.py sets them), before the client's first request.
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get(reverse("actions:list"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert_secure_headers(response)


def test_every_admin_list_needs_nothing_the_policy_blocks(staff_client, seed_action):
    """Django's admin adds an inline <style> to a list without actions; ours must not need it."""
    from django.contrib import admin

    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert_secure_headers(response)
        assert_no_inline_code(response)
