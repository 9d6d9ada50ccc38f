"""Numbers from outside are ASCII digits of a sane length: "²" (a digit to str.isdigit, not to int),
"٣" and 5,000 digits get a clear answer or are ignored, never a server error or a traceback."""

import os
import subprocess

import pytest
from django.urls import reverse

from tests.petitions.conftest import form_data
from uadesk.numbers import parse_int

pytestmark = pytest.mark.django_db
NOT_NUMBERS = ["²", "٣", "１", "1_000", " 7", "-1", "9" * 5000, ""]


def test_parse_int_takes_ascii_digits_only():
    assert parse_int("0042") == 42
    assert parse_int("9" * 18) == int("9" * 18)
    assert parse_int("9" * 19) is None
    assert parse_int("123", max_digits=2) is None
    for text in [*NOT_NUMBERS, None]:
        assert parse_int(text) is None, text


@pytest.mark.parametrize("target", NOT_NUMBERS[:-1])
def test_the_compose_page_ignores_a_target_that_is_not_a_number(client, open_action, target):
    url = reverse("appeals:compose", args=[open_action.slug])
    response = client.get(url, {"target": target})
    assert response.status_code == 200


@pytest.mark.parametrize("work", ["²", "٣٣", "1" * 20])
def test_the_petition_form_refuses_work_that_is_not_a_number(client, petition, work):
    response = client.post(petition.get_absolute_url(), form_data(client, petition, work=work))
    assert response.status_code == 400
    assert "could not be checked" in response.content.decode()


def test_the_staff_search_for_a_supporter_number_ignores_other_digits(staff_client):
    url = reverse("admin:supporters_supporter_changelist")
    for term in ["#²", "٣", "9" * 30]:
        assert staff_client.get(url, {"q": term}).status_code == 200


@pytest.fixture
def bare_env(tmp_path):
    """A desk of its own, for commands that refuse before they touch a database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    return env | {"UADESK_DATA_DIR": str(tmp_path)}


def run(uadesk_bin, *args, env):
    return subprocess.run([uadesk_bin, *args], env=env, capture_output=True, text=True, timeout=120)


def assert_one_line_and_status_2(result, *words):
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


@pytest.mark.django_db(transaction=True)  # the command's own process reads the test database
def test_report_of_an_action_that_is_not_a_number_nor_a_slug(uadesk_bin, process_env):
    for action in ["²", "9" * 5000]:
        assert_one_line_and_status_2(run(uadesk_bin, "report", action, env=process_env), "no action")


@pytest.mark.parametrize(("name", "value"), [("PORT", "²"), ("WEB_WORKERS", "²")])
def test_run_refuses_a_number_that_is_not_one(uadesk_bin, bare_env, name, value):
    assert_one_line_and_status_2(run(uadesk_bin, "run", env=bare_env | {name: value}), name)


@pytest.mark.parametrize("value", ["²", "9" * 5000])
def test_a_numeric_setting_that_is_not_a_number(uadesk_bin, bare_env, value):
    result = run(uadesk_bin, "check", env=bare_env | {"EMAIL_PORT": value})
    assert_one_line_and_status_2(result, "EMAIL_PORT")
