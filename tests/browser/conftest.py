"""The desk served by real processes on loopback, and a headless Chromium that may talk to nothing else."""

import os
import re
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port
from uadesk.management.commands.run import web_server_args

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# As the machine's notes say: without the networking flags Chromium calls home at every start, and the
# closed network refuses it; as root it needs --no-sandbox.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A loaded 2-core machine can be slow; nothing here measures time, so waiting long costs only a failure's.
TIMEOUT_MS = 60_000
ARTIFACTS = Path(os.environ.get("UADESK_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "browser"


class Process:
    """A child process whose output goes to a log file, stopped by its own id."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.log = log
        self._log = log.open("wb")
        self.process = subprocess.Popen(args, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def alive(self) -> bool:
        return self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self._log.close()


@dataclass
class Desk:
    url: str

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture
def server_env(process_env):
    """The test database's environment, less the test process's own allowance (see chromium)."""
    return {k: v for k, v in process_env.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}


@pytest.fixture
def desk(server_env, uadesk_bin, tmp_path):
    """The production web server (as `uadesk run` starts it, one process) on a free loopback port."""
    port = free_port()
    server = Process(web_server_args("127.0.0.1", port, workers=1), server_env, tmp_path / "web-server.log")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(url + "/health/", server)
        yield Desk(url)
    finally:
        server.stop()


@pytest.fixture
def desk_worker(desk, server_env, uadesk_bin, smtp_server, tmp_path):
    """A real task worker process that sends the desk's letters to the test's SMTP server, its emails
    linking to this desk, as SITE_URL has it in production."""
    mailbox, port = smtp_server
    env = server_env | {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "SITE_URL": desk.url}
    worker = Process([uadesk_bin, "worker", "--interval=0.2"], env, tmp_path / "worker.log")
    try:
        yield mailbox
    finally:
        worker.stop()


def wait_until_serving(url: str, server: Process, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert server.alive(), f"the web server stopped:\n{server.output()}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own loopback URL)
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"the web server did not answer:\n{server.output()}") from None
        time.sleep(0.2)


@pytest.fixture(scope="package")
def chromium():
    """Debian's Chromium, headless, driven by Playwright (which must never download a browser of its own)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, which Django takes for an async
    # context and refuses the ORM in; the tests' own ORM calls are plain sync code, so they are allowed,
    # for this package's tests only.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


class OriginGuard:
    """Records every request a page makes; a request to any other origin is refused and remembered."""

    def __init__(self, origin: str):
        self.origin = origin
        self.requests: list[str] = []
        self.foreign: list[str] = []

    def route(self, route):
        url = route.request.url
        self.requests.append(url)
        if self.allowed(url):
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort("blockedbyclient")

    def allowed(self, url: str) -> bool:
        # data: and blob: are made inside the page; anything else must be the desk itself.
        return url.startswith((self.origin + "/", "data:", "blob:", "about:"))


@pytest.fixture
def browser_context(chromium, desk):
    """A fresh profile (no cache, no cookies) whose every request must go to the desk; see open_context."""
    contexts = []

    def open_context(**options):
        context = chromium.new_context(**({"locale": "en-GB"} | options))
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        guard = OriginGuard(desk.url)
        context.route("**/*", guard.route)
        contexts.append((context, guard))
        return context

    yield open_context
    foreign = [url for _, guard in contexts for url in guard.foreign]
    for context, _ in contexts:
        context.close()
    assert not foreign, f"the pages asked another origin for: {foreign}"


@pytest.fixture
def page(browser_context):
    return browser_context().new_page()


@pytest.fixture
def screenshot(request):
    """Saves a full-page screenshot as an artefact: test-artifacts/browser/<test>/<nn>-<step>.png."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    count = 0

    def take(page, step: str, *, full_page: bool = True) -> Path:
        nonlocal count
        count += 1
        path = folder / f"{count:02d}-{step}.png"
        page.screenshot(path=path, full_page=full_page)
        return path

    return take


def tab_to(page, selector: str, *, presses: int = 80) -> None:
    """Moves the focus with the Tab key alone until it reaches the element; fails if it never does."""
    for _ in range(presses):
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def wait_until(condition, *, timeout: float = 90, message: str = "") -> None:
    """Polls a condition that another process makes true (the worker, the server); long, as a loaded
    machine needs, and never a measure of speed."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, message or "the condition never held"
        time.sleep(0.1)


STAFF_PASSWORD = "a long staff password"


def superuser_with_authenticator(django_user_model, username: str):
    """An administrator whose password is STAFF_PASSWORD and who has a confirmed authenticator."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = django_user_model.objects.create_superuser(username, email="", password=None)
    hasher = PBKDF2PasswordHasher()  # the server's own hashers; few iterations keep it quick
    user.password = hasher.encode(STAFF_PASSWORD, hasher.salt(), iterations=1000)
    user.save()
    return user, TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def staff_sign_in(page, desk, username: str, password: str, device) -> None:
    """Signs in at the staff desk as a staff member does: password, then the authenticator's code."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    page.goto(desk("/staff/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Code from your authenticator app").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Log in").click()
