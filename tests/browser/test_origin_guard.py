"""The browser tests' guard: it records every request and refuses, and reports, any other origin."""

import pytest

from tests.browser.conftest import OriginGuard

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_request_to_another_origin_is_refused_and_reported(chromium, desk):
    # The desk's own Content-Security-Policy would stop this fetch first; the guard must hold without it.
    context = chromium.new_context(bypass_csp=True)
    guard = OriginGuard(desk.url)
    context.route("**/*", guard.route)
    page = context.new_page()
    page.goto(desk("/"))
    # Another port on loopback is another origin; the guard aborts it before anything is sent.
    failed = page.evaluate("() => fetch('http://127.0.0.2:8080/tracker.js').then(() => false, () => true)")
    context.close()
    assert failed
    assert guard.foreign == ["http://127.0.0.2:8080/tracker.js"]
    assert guard.requests[0] == desk("/") and desk("/static/uadesk/site.css") in guard.requests
