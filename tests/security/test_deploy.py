"""Production settings pass Django's deployment checks with no warning, and harden cookies and transport."""

import json
import os
import secrets
import subprocess

import pytest


@pytest.fixture
def production_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY_FILE", "SUPPORTER_KEY_FILE")}
    return env | {
        "UADESK_PRODUCTION": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SUPPORTER_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "desk.example.org",
        "SITE_URL": "https://desk.example.org",
        "DEFAULT_FROM_EMAIL": "Urgent Actions <ua@example.org>",
        "UADESK_DATA_DIR": str(tmp_path),
    }


def test_check_deploy_reports_no_issue(production_env, uadesk_bin):
    result = subprocess.run(
        [uadesk_bin, "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_cookies_and_transport(production_env, uadesk_bin):
    names = [
        "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_NAME", "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_NAME", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "DEBUG",
    ]  # fmt: skip
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [uadesk_bin, "shell", "-c", code], env=production_env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "DEBUG": False,
    }


def check(uadesk_bin, env):
    return subprocess.run([uadesk_bin, "check"], env=env, capture_output=True, text=True, timeout=120)


def test_production_refuses_to_start_without_its_secrets(production_env, uadesk_bin):
    for missing in ("SECRET_KEY", "SUPPORTER_KEY", "ALLOWED_HOSTS", "SITE_URL", "DEFAULT_FROM_EMAIL"):
        result = check(uadesk_bin, {k: v for k, v in production_env.items() if k != missing})
        # One line that says what is missing, as for any bad input; not a traceback.
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert missing in result.stderr


@pytest.mark.parametrize(
    "key",
    ["x", "correct horse", "ab" * 32, "0123456789" * 4, secrets.token_urlsafe(32)[:31]],
    ids=["one-character", "short", "two-characters-repeated", "ten-digits-repeated", "31-characters"],
)
def test_production_refuses_a_weak_supporter_key(production_env, uadesk_bin, key):
    result = check(uadesk_bin, production_env | {"SUPPORTER_KEY": key})
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "SUPPORTER_KEY is too weak" in result.stderr
    assert len(key) < 8 or key not in result.stderr  # a secret is never echoed


@pytest.mark.parametrize(
    "key",
    [
        secrets.token_urlsafe(32),
        secrets.token_hex(32),
        secrets.token_hex(32).upper(),
        secrets.token_urlsafe(64),
    ],
    ids=["token_urlsafe", "hex", "HEX", "long"],
)
def test_production_takes_a_random_supporter_key(production_env, uadesk_bin, key):
    result = check(uadesk_bin, production_env | {"SUPPORTER_KEY": key})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("SITE_URL", "desk.example.org"), ("SITE_URL", "http://desk.example.org"),
     ("SITE_URL", "https://desk.example.org/uadesk"), ("DEFAULT_FROM_EMAIL", "uadesk <appeals@localhost>"),
     ("DEFAULT_FROM_EMAIL", "webmaster")],
)  # fmt: skip
def test_production_refuses_links_and_a_sender_that_would_lose_mail(production_env, uadesk_bin, name, value):
    """A bare path or plain HTTP in an email's link, or mail from localhost, loses what it carries."""
    result = check(uadesk_bin, production_env | {name: value})
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and name in result.stderr, result.stderr
