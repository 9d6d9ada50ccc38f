"""What the load tests share: the desk's environment under load, the supporters who load it, and a
small reverse proxy for a desk served by several web processes."""

import contextlib
import http.client
import http.cookies
import os
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.urls import reverse

from tests.conftest import Answer, request
from uadesk.petitions import pow

# Limits on, as in production, but far above what the tests' few loopback addresses send; leases and
# retries short, so that what a killed worker held is taken over within a test.
LOAD_ENV = {
    "LOG_LEVEL": "WARNING",
    "DELIVERY_LEASE_SECONDS": "5",
    "APPEAL_RETRY_BASE_SECONDS": "1",
    "APPEAL_MAX_ATTEMPTS": "5",
    "TASK_LEASE_SECONDS": "8",
    "PETITION_POW_MAX_NUMBER": "50",
    "APPEAL_RATE_PER_ADDRESS": "1000000",
    "APPEAL_RATE_PER_NETWORK": "1000000",
    "PETITION_RATE_PER_ADDRESS": "1000000",
    "PETITION_RATE_PER_NETWORK": "1000000",
    "SUPPORTER_LINK_RATE_PER_ADDRESS": "1000000",
    "SUPPORTER_LINK_RATE_PER_NETWORK": "1000000",
    # The webhook's receiver is on loopback; a refused POST is tried again a second later.
    "WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "1",
    "WEBHOOK_RETRY_BASE_SECONDS": "1",
    # The action's deadline is ten days off: every reminder asked for is due at once.
    "REMINDER_DAYS_BEFORE": "30",
    "REMINDER_RATE_PER_ADDRESS": "1000000",
    "REMINDER_RATE_PER_NETWORK": "1000000",
}
# What a proxy answers when the web process it passed a request to is gone: the request may or may not
# have been taken, and only the supporter can send it again.
GATEWAY_ERRORS = (502, 503, 504)
ALREADY_SENT = b"This form was already sent"


class Load:
    """What the supporters did and what the desk answered: every request, and what was acknowledged.

    `resubmit`: a request whose answer was lost (the connection failed, or the proxy answered that the
    web process went away) is sent again, as a supporter presses the button again; off, it is given up."""

    def __init__(self, port: int, until: float, *, resubmit: bool = False, ask_links: bool = True):
        self.port, self.until = port, until
        self.resubmit, self.ask_links = resubmit, ask_links
        self.lock = threading.Lock()
        self.answers: Counter = Counter()  # (kind, status or error name)
        self.lost_answers: list[tuple[str, float]] = []  # (kind, when) of each answer lost on the way
        self.appeals: list[str] = []  # form keys of appeals the supporter saw confirmed
        self.signers: list[str] = []  # emails of signatures the supporter saw thanked for
        self.writers: list[str] = []  # emails of the writers of those appeals
        self.confirmed: set[str] = set()  # Message-IDs of "Confirm your letters" emails whose link was opened
        self.linked: set[str] = set()  # writers who asked for the link to their data, once each
        self.reminded: set[str] = set()  # supporters who asked for a reminder and were told it is set
        self.replayed = 0  # signing forms sent again whose first sending had been taken

    def ask(self, kind: str, method: str, path: str, form=None, headers=None, *, accept=()):
        """The answer, or None for an error (any status from 400 but those in `accept`)."""
        for _ in range(5 if self.resubmit else 1):
            try:
                answer = request(method, self.port, path, form, headers)
            except OSError as error:
                self.note(kind, type(error).__name__)
                continue
            self.note(kind, answer.status)
            if answer.status not in GATEWAY_ERRORS:
                return answer if answer.status < 400 or answer.status in accept else None
        return None

    def note(self, kind: str, status) -> None:
        with self.lock:
            self.answers[kind, status] += 1
            if not isinstance(status, int) or status in GATEWAY_ERRORS:
                self.lost_answers.append((kind, time.monotonic()))

    def write_appeals(self, n: int, action) -> None:
        page, compose = action.get_absolute_url(), reverse("appeals:compose", kwargs={"slug": action.slug})
        i = 0
        while time.monotonic() < self.until:
            i += 1
            if not self.ask("page", "GET", page) or not (form_page := self.ask("page", "GET", compose)):
                continue
            html = form_page.body.decode()
            cookies = http.cookies.SimpleCookie("\n".join(form_page.headers.get_all("Set-Cookie", [])))
            cookie = cookies["csrftoken"].value
            key = re.search(r'name="key" value="([^"]+)"', html).group(1)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
            form = {
                "csrfmiddlewaretoken": token,
                "key": key, "targets": re.search(r'name="targets" value="(\d+)"[^>]*checked', html).group(1),
                "language": "en", "channel": "email", "step": "send", "name": f"Writer {n}-{i}",
                "town": "Lyon", "country": "FR", "email": f"writer.{n}.{i}@example.org",
                "wants_updates": "on",
                "body": f"Please release everyone detained in Xinjiang.\n\nLetter {n}-{i}.",
            }  # fmt: skip
            # Sent again with the same form (the same key) if its answer was lost: the desk takes a
            # form's key once (appeal_submit), so a second sending finds the first's appeals.
            sent = self.ask("appeal", "POST", compose, form, {"Cookie": f"csrftoken={cookie}"})
            if sent and sent.status == 302:
                with self.lock:
                    self.appeals.append(key)
                    self.writers.append(form["email"])
                self.ask("page", "GET", sent.headers["Location"])

    def confirm_letters(self, mailbox, stop: threading.Event) -> None:
        """The writers open the "Confirm your letters" email and press its button: their letters go then."""
        while not stop.is_set():
            for message in list(mailbox.messages):
                if message["Subject"] != "Confirm your letters" or message["Message-ID"] in self.confirmed:
                    continue
                [link] = re.findall(
                    r"(/[\w-]+/appeals/confirm/[^/\s]+/)", message.get_body(("plain",)).get_content()
                )
                try:
                    answer = request("POST", self.port, link)
                except OSError as error:
                    self.note("confirm", type(error).__name__)
                    continue
                self.note("confirm", answer.status)
                # 410: a link sent twice, confirmed from its newer copy. A lost answer: pressed again
                # on the next round, which shows what the lost press confirmed (200).
                if answer.status < 500:
                    self.confirmed.add(message["Message-ID"])
                if self.ask_links and answer.status == 200 and message["To"] not in self.linked:
                    self.ask_data_link(message["To"])
            stop.wait(0.2)

    def ask_data_link(self, email: str) -> None:
        """Then the writer asks for the link to their data, once, with the form of its page."""
        path = reverse("supporters:link")
        if not (form_page := self.ask("page", "GET", path)):
            return
        cookies = http.cookies.SimpleCookie("\n".join(form_page.headers.get_all("Set-Cookie", [])))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page.body.decode()).group(1)
        form = {"csrfmiddlewaretoken": token, "email": email}
        asked = self.ask("link", "POST", path, form, {"Cookie": f"csrftoken={cookies['csrftoken'].value}"})
        if (
            asked
            and asked.status == 302
            and asked.headers["Location"].endswith(reverse("supporters:link_sent"))
        ):
            with self.lock:
                self.linked.add(email)

    def ask_reminders(self, action) -> None:
        """Supporters who will write later ask for one reminder, from the form on the action's page."""
        page, i = action.get_absolute_url(), 0
        while time.monotonic() < self.until:
            i += 1
            if not (form_page := self.ask("page", "GET", page)):
                continue
            # The form needs no token nor cookie: a browser says it posts it from the desk's own page.
            assert b'class="remind"' in form_page.body and not form_page.headers.get_all("Set-Cookie")
            email = f"reminder.{i}@example.org"
            path = reverse("supporters:remind", args=[action.slug])
            asked = self.ask("remind", "POST", path, {"email": email}, {"Sec-Fetch-Site": "same-origin"})
            if asked and asked.status == 200 and b"We will remind you" in asked.body:
                with self.lock:
                    self.reminded.add(email)

    def sign(self, n: int, petition) -> None:
        path, i = petition.get_absolute_url(), 0
        while time.monotonic() < self.until:
            i += 1
            if not (page := self.ask("page", "GET", path)):
                continue
            challenge = re.search(r'name="challenge" value="([^"]+)"', page.body.decode()).group(1)
            email = f"signer.{n}.{i}@example.org"
            form = {
                "name": f"Signer {n}-{i}", "email": email, "country": "FR", "challenge": challenge,
                "work": str(pow.solve(challenge)), "website": "",
            }  # fmt: skip
            thanked = self.ask("signature", "POST", path, form, accept=(400,))
            if self.resubmit and thanked and thanked.status == 400 and ALREADY_SENT in thanked.body:
                # The form sent again after its answer was lost had been taken the first time: its
                # challenge is spent, and the page asks to send it again with the new one it carries.
                # The desk finds the signature of this name and address and emails it no second time.
                with self.lock:
                    self.replayed += 1
                challenge = re.search(r'name="challenge" value="([^"]+)"', thanked.body.decode()).group(1)
                form |= {"challenge": challenge, "work": str(pow.solve(challenge))}
                thanked = self.ask("signature", "POST", path, form)
            if thanked and thanked.status == 302:
                with self.lock:
                    self.signers.append(email)
                self.ask("page", "GET", thanked.headers["Location"])


def twice(counts: Counter) -> int:
    return sum(n - 1 for n in counts.values())


def apart(found, expected) -> tuple[set, set]:
    """What was found but not expected, and what was expected but not found."""
    return set(found) - set(expected), set(expected) - set(found)


def request_from(source: str, port: int, path: str, headers: dict | None = None) -> Answer:
    """A GET from another loopback address (127.0.0.2 ...), as a client elsewhere on the internet."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return Answer(response.status, response.read(), response.headers)
    finally:
        conn.close()


@dataclass
class Exchange:
    """One request the proxy passed to a web process: to which, when, and whether an answer came back."""

    backend: int
    began: float
    ended: float = 0.0
    answered: bool = False


# Hop-by-hop headers (RFC 9110, 7.6.1): they concern one connection and are not passed on. The proxy
# reads each answer whole and sends it with its own Content-Length.
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


class Proxy:
    """A reverse proxy on loopback in front of several web processes, as nginx would stand there.

    Each request goes to the next backend in turn, with the client's address appended to
    X-Forwarded-For (the one entry the desk trusts with TRUSTED_PROXY_COUNT=1). A backend that refuses
    the connection (its process is gone) is skipped for the next, as nginx's proxy_next_upstream does
    for a connect error; a request already passed to a backend that then fails is not sent again (it
    may have been taken: nginx too passes no non-idempotent request to another upstream) but answered
    502, and only the client may send it again."""

    def __init__(self, backends: list[int]):
        self.backends = backends
        self.lock = threading.Lock()
        self.turn = 0
        self.exchanges: list[Exchange] = []
        self.skipped: Counter = Counter()  # backend -> connections it refused
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_request(self):
                proxy.forward(self)

            do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_request

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128  # every client thread at once, not socketserver's 5

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def order(self) -> list[int]:
        with self.lock:
            self.turn += 1
            first = self.turn % len(self.backends)
        return self.backends[first:] + self.backends[:first]

    def forward(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        passed = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
        headers = {k: v for k, v in passed.items() if k.lower() != "x-forwarded-for"}
        forwarded, client = handler.headers.get("X-Forwarded-For"), handler.client_address[0]
        headers["X-Forwarded-For"] = f"{forwarded}, {client}" if forwarded else client
        for backend in self.order():
            upstream = http.client.HTTPConnection("127.0.0.1", backend, timeout=60)
            began = time.monotonic()  # before the connection: a backend may take it just before it dies
            try:
                upstream.connect()
            except ConnectionRefusedError:
                with self.lock:
                    self.skipped[backend] += 1
                upstream.close()
                continue
            exchange = Exchange(backend, began)
            with self.lock:
                self.exchanges.append(exchange)
            try:
                upstream.request(handler.command, handler.path, body=body, headers=headers)
                response = upstream.getresponse()
                status, reason, content = response.status, response.reason, response.read()
                answer_headers = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
            except (OSError, http.client.HTTPException):
                exchange.ended = time.monotonic()
                self.reply(handler, 502, "Bad Gateway", [], b"")
                return
            finally:
                upstream.close()
            exchange.ended, exchange.answered = time.monotonic(), True
            self.reply(handler, status, reason, answer_headers, content)
            return
        self.reply(handler, 502, "Bad Gateway", [], b"")  # every backend refused: none is serving

    @staticmethod
    def reply(handler, status: int, reason: str, headers: list, content: bytes) -> None:
        handler.send_response_only(status, reason)
        for name, value in headers:
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(content)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        if handler.command != "HEAD":
            handler.wfile.write(content)


def web_process(args: list[str], env: dict, port: int) -> tuple[subprocess.Popen, object]:
    """A web server (its command in `args`) on a loopback port, once /health/ answers, in a process
    group of its own: killing that group takes its worker processes too, as a machine's loss does."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 - read after the process ends
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 30
    while True:
        try:
            request("GET", port, "/health/")
            return process, log
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                machine_lost(process, port)
                log.seek(0)
                raise AssertionError(log.read().decode(errors="replace")[-2000:]) from None
            time.sleep(0.1)


def machine_lost(process: subprocess.Popen, port: int) -> None:
    """SIGKILL to the web server and every process it started: nothing of it answers or cleans up.
    Returns once its port refuses connections (its worker processes may outlive it by a moment)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            return
        time.sleep(0.01)
    raise AssertionError(f"port {port} still takes connections after its web server was killed")


def crashed_outputs(processes, *, killed) -> dict[str, str]:
    """The end of the output of each process but the one killed that did not stop with status 0 when
    asked, by its command; closes their logs."""
    crashed = {}
    for process, log in processes:
        log.seek(0)
        if process is not killed and process.returncode != 0:
            crashed[" ".join(process.args[1:3])] = log.read().decode(errors="replace")[-3000:]
        log.close()
    return crashed
