"""Log lines: one a line, text or JSON, a request's id carried into the worker, no personal data, and
a periodic task's success kept out of the way of a failure."""

import json
import logging
import re
import subprocess
import sys
import urllib.parse

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import free_port, request, web_server
from uadesk import logs
from uadesk.actions.tasks import close_expired_actions
from uadesk.management.commands.run import web_server_args
from uadesk.network.tasks import mailing_queue

KEYS = {"time", "level", "logger", "message", "request_id", "task_id"}
NAME, EMAIL, TOWN = "Ana Tester", "ana.tester@example.org", "Zwickau"


def record(message: str, *args, exc_info=None) -> logging.LogRecord:
    line = logging.makeLogRecord({"name": "uadesk.test", "levelno": logging.WARNING, "levelname": "WARNING"})
    line.msg, line.args, line.exc_info = message, args, exc_info
    logs.ContextFilter().filter(line)
    return line


def test_a_json_line_parses_with_the_ids_of_its_request_and_task():
    tokens = logs.request_id.set("proxy-id-1234"), logs.task_id.set("42")
    try:
        line = logs.JsonFormatter().format(record("sent %s\nof %s", 1, 2))
    finally:
        logs.request_id.reset(tokens[0])
        logs.task_id.reset(tokens[1])
    assert "\n" not in line
    parsed = json.loads(line)
    assert set(parsed) == KEYS
    assert parsed | {"time": None} == {
        "time": None,
        "level": "WARNING",
        "logger": "uadesk.test",
        "message": "sent 1\nof 2",
        "request_id": "proxy-id-1234",
        "task_id": "42",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", parsed["time"])


def test_an_exception_is_logged_as_its_type_and_place_never_its_message():
    try:
        raise ValueError(f"Field 'id' expected a number but got {EMAIL!r}")
    except ValueError:
        line = record("task failed", exc_info=sys.exc_info())
    text = logs.TextFormatter().format(line)
    parsed = json.loads(logs.JsonFormatter().format(line))
    assert EMAIL not in text and EMAIL not in json.dumps(parsed)
    assert "\n" not in text
    assert re.search(
        r" WARNING uadesk\.test task failed \[builtins\.ValueError at tests/test_logs\.py:\d+ in ", text
    )
    assert parsed["exception"]["type"] == "builtins.ValueError"
    assert parsed["exception"]["stack"][-1].startswith("tests/test_logs.py:")


@pytest.mark.django_db
def test_a_request_gets_an_id_or_keeps_a_sane_one_from_the_proxy():
    made = Client().get("/health/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    kept = "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert Client().get("/health/", headers={"X-Request-ID": kept})["X-Request-ID"] == kept
    for insane in (EMAIL, "short", "x" * 65, "with space 1234", "new\\nline12345"):
        answered = Client().get("/health/", headers={"X-Request-ID": insane})["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", answered), insane


def lines_of(output: str) -> list[dict]:
    """Every line the desk wrote, each a JSON object with the desk's keys. The web server's own few
    lines ("[WARNING] Killing worker-1 ...", at its stop) keep granian's format."""
    parsed = [json.loads(line) for line in output.splitlines() if line.strip() and not line.startswith("[")]
    for line in parsed:
        assert set(line) >= KEYS, line
    return parsed


class Browser:
    """Cookies, and a form's CSRF token, as a browser keeps them for one desk on loopback."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def go(self, method: str, path: str, form: dict | None = None, headers: dict | None = None):
        base = f"http://127.0.0.1:{self.port}"
        sent = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Origin": base}
        answer = request(method, self.port, path, form, sent | {"Referer": base + path} | (headers or {}))
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, value = cookie.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return answer


def form_fields(html: bytes) -> dict:
    return dict(re.findall(r'name="(csrfmiddlewaretoken|key)" value="([^"]+)"', html.decode()))


def worker_output(uadesk_bin, env) -> str:
    worker = subprocess.run(
        [uadesk_bin, "worker", "--interval=0.1", "--batch", "--no-startup-delay"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr[-3000:]
    return worker.stdout + worker.stderr


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_appeals_journey_logs_one_id_per_request_into_the_worker_and_no_personal_data(
    open_action, worker_env, uadesk_bin, smtp_server, tmp_path
):
    mailbox, _ = smtp_server
    port = free_port()
    env = worker_env | {"LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG", "HOST": "127.0.0.1", "PORT": str(port)}
    write = reverse("appeals:compose", kwargs={"slug": open_action.slug})
    browser = Browser(port)
    with (tmp_path / "web.log").open("w+") as web_log:
        with web_server(web_server_args("127.0.0.1", port, workers=1), env, port, output=web_log):
            page = browser.go("GET", write)
            target = re.search(rb'name="targets" value="(\d+)"', page.body).group(1).decode()
            fields = form_fields(page.body)
            letter = {
                "targets": target, "language": "en", "channel": "email", "step": "send", "name": NAME,
                "town": TOWN, "country": "de", "email": EMAIL, "body": "Please release them.\n\nYours,",
            }  # fmt: skip
            sent = browser.go("POST", write, fields | letter)
            assert sent.status == 302, sent.body[-2000:]
            writing = sent.headers["X-Request-ID"]
            first_run = worker_output(uadesk_bin, env)  # sends "Confirm your letters"

            [confirmation] = mailbox.wait_for(1)
            text = confirmation.get_body(("plain",)).get_content()
            confirm = urllib.parse.urlsplit(re.search(r"\S*/appeals/confirm/\S+/", text).group(0)).path
            page = browser.go("GET", confirm)
            confirmed = browser.go("POST", confirm, form_fields(page.body))
            assert confirmed.status == 200, confirmed.body[-2000:]
            confirming = confirmed.headers["X-Request-ID"]
            second_run = worker_output(uadesk_bin, env)  # the letter to the official, the receipt
        web_log.seek(0)
        web = web_log.read()

    messages = mailbox.wait_for(3)
    assert any(m.envelope_recipients == ["english@mail.gov.cn"] for m in messages)
    web_lines, first, second = lines_of(web), lines_of(first_run), lines_of(second_run)

    def said(lines, request_id) -> list[str]:
        return [line["message"] for line in lines if line["request_id"] == request_id]

    # One id per request, on its own lines and on those of the task it queued, in the worker.
    assert f"POST {write}" not in web
    [line] = said(web_lines, writing)
    assert re.fullmatch(r"POST appeals:compose 302 \d+ ms", line), line
    assert "deliver_messages done: 1" in said(first, writing)
    assert any("state=SUCCESSFUL" in line for line in said(first, writing))
    [line] = said(web_lines, confirming)
    assert re.fullmatch(r"POST appeals:confirm_email 200 \d+ ms", line), line
    assert "deliver_messages done: 2" in said(second, confirming)
    assert writing != confirming
    task_lines = [line for line in first + second if line["task_id"]]
    assert task_lines and all(line["request_id"] in (writing, confirming) for line in task_lines)

    # Nothing in any line of the journey says who wrote, or opens their letters or their data.
    secrets = {NAME, EMAIL, TOWN, *NAME.split(), EMAIL.split("@")[0], fields["key"]}
    for message in messages:
        body = message.get_body(("plain",)).get_content()
        secrets |= {s for link in re.findall(r"https?://\S+", body) for s in link.split("/") if len(s) > 16}
    everything = web + first_run + second_run
    for secret in secrets:
        assert secret not in everything, secret


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_periodic_tasks_success_is_quiet_at_info_and_a_failed_task_shows_its_type(worker_env, uadesk_bin):
    close_expired_actions.enqueue()
    # A mailing's id that is no number: the query refuses it, quoting the value, which must not show.
    mailing_queue.enqueue(EMAIL)
    output = worker_output(uadesk_bin, worker_env | {"LOG_LEVEL": "INFO"})
    assert "close_expired_actions" not in output, output
    assert "state=RUNNING" not in output and "state=SUCCESSFUL" not in output, output
    [failed] = [line for line in output.splitlines() if "state=FAILED" in line]
    assert " ERROR django.tasks task=" in failed and "path=uadesk.network.tasks.mailing_queue" in failed
    assert "[builtins.ValueError at uadesk/" in failed, failed
    assert EMAIL not in output and "Traceback" not in output, output

    # At DEBUG the routine lines are there, each on the task's line of the worker.
    close_expired_actions.enqueue()
    output = worker_output(uadesk_bin, worker_env | {"LOG_LEVEL": "DEBUG"})
    assert re.search(
        r" DEBUG django\.tasks task=\S+ Task id=\S+ path=\S+close_expired_actions state=SUCCESSFUL", output
    )
