"""Two desks on loopback, an office's and a section's, each its own `uadesk run` and database (issue 21)."""

import base64
import contextlib
import datetime
import json
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.conftest import Mailbox, free_port
from uadesk.federation import signing

pytestmark = pytest.mark.federation

UADESK = str(Path(sys.executable).with_name("uadesk"))
REPORTS = "/federation/reports"
SECTION = "de"
OFFICE_NAME = "International Secretariat"
GERMAN_TITLE = "Verschwunden und willkürlich inhaftiert in Xinjiang"
EMBASSY = "Botschaft der Volksrepublik China in Berlin"
OUTCOME_NOTE = "A lawyer saw him on 3 December."
# Each desk takes what it was given, never what the tests' own process was started with: one
# desk's key, database or cache in the other's environment would make them one desk.
NOT_INHERITED = {
    "DATABASE_URL", "SQLITE_PATH", "SECRET_KEY", "SECRET_KEY_FILE", "SUPPORTER_KEY", "SUPPORTER_KEY_FILE",
    "DESK_SIGNING_KEY", "DESK_SIGNING_KEY_FILE", "SITE_URL", "REDIS_URL", "UADESK_PRODUCTION", "HOST",
    "PORT", "UADESK_DATA_DIR",
}  # fmt: skip


# The desks ----------------------------------------------------------------------------------------------


class Desk:
    """One desk: `uadesk run` in a session of its own, so that stopping it stops its web server, worker
    and scheduler too; its own data folder, database, port and keys."""

    def __init__(self, name: str, env: dict, log: Path, *run_args: str):
        self.name, self.env, self.log_path, self.run_args = name, env, log, run_args
        self.port = int(env["PORT"])
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [UADESK, "run", *self.run_args], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def wait_ready(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + "/health/", timeout=5) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the {self.name} desk did not start:\n{self.log_tail()}")
            time.sleep(0.2)

    def stop(self) -> None:
        """Ctrl-C, as its staff would stop it; whatever of it is left then is killed, so that no port or
        pipe outlives the test."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=45)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                return
            time.sleep(0.1)
        raise AssertionError(f"the {self.name} desk's port still answers after it stopped")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def command(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [UADESK, *args], env=self.env, capture_output=True, text=True, timeout=180, check=False
        )

    def ok(self, *args: str) -> str:
        done = self.command(*args)
        assert done.returncode == 0, f"{self.name}: uadesk {' '.join(args[:2])}: {done.stderr[-3000:]}"
        return done.stdout

    def shell(self, code: str):
        """What a staff member's snippet on this desk printed last, as JSON."""
        return json.loads(self.ok("shell", "-v", "0", "-c", code).strip().splitlines()[-1])


def together(*calls):
    """Commands to both desks at once: each is a process of its own, and the desks are two machines."""
    with ThreadPoolExecutor(len(calls)) as pool:
        return [future.result() for future in [pool.submit(call) for call in calls]]


@contextlib.contextmanager
def databases(names: list[str]):
    """On PostgreSQL (the suite's DATABASE_URL), a database of each desk's own, named after the suite's
    (never the suite's own, nor `test`); on SQLite, nothing: each desk keeps its file in its data folder."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield dict.fromkeys(names)
        return
    import psycopg

    parts = urllib.parse.urlsplit(url)
    base = parts.path.lstrip("/") or "uadesk"
    urls = {name: urllib.parse.urlunsplit(parts._replace(path=f"/{base}_{name}")) for name in names}
    server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))

    def drop_all():
        with psycopg.connect(server, autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{base}_{name}" WITH (FORCE)')

    drop_all()
    with psycopg.connect(server, autocommit=True) as admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{base}_{name}"')
    try:
        yield urls
    finally:
        drop_all()


@dataclass
class Desks:
    office: Desk
    section: Desk
    mailbox: Mailbox
    section_seed: bytes  # the section desk's signing key, as its staff set it (DESK_SIGNING_KEY)
    office_action: dict = field(default_factory=dict)


@pytest.fixture(scope="module")
def desks(tmp_path_factory):
    """The office desk with the demo action published, the section desk empty, both running; an SMTP
    server on loopback takes what either sends."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command otherwise
    mailbox = Mailbox()
    seed = secrets.token_bytes(32)
    with contextlib.ExitStack() as stack:
        smtp = Controller(mailbox, hostname="127.0.0.1", port=free_port())
        smtp.start()
        stack.callback(smtp.stop)
        urls = stack.enter_context(databases(["office", "section"]))
        made = {}
        for name in ("office", "section"):
            env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED} | {
                "UADESK_DATA_DIR": str(tmp_path_factory.mktemp(name)), "HOST": "127.0.0.1",
                "PORT": str(free_port()), "WEB_WORKERS": "1", "SECRET_KEY": secrets.token_urlsafe(50),
                "SUPPORTER_KEY": secrets.token_urlsafe(32), "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(smtp.port), "LOG_LEVEL": "WARNING", "DELIVERY_LEASE_SECONDS": "2",
                "APPEAL_RETRY_BASE_SECONDS": "0",
            }  # fmt: skip
            if urls[name]:
                env["DATABASE_URL"] = urls[name]
            made[name] = env
        # The office's key comes from its SECRET_KEY, the section's is set: both ways a desk has one.
        made["section"]["DESK_SIGNING_KEY"] = base64.urlsafe_b64encode(seed).rstrip(b"=").decode()
        logs = tmp_path_factory.mktemp("logs")
        office = Desk("office", made["office"], logs / "office.log")
        section = Desk("section", made["section"], logs / "section.log", "--no-demo")
        # Stopped before their databases go, whatever happened: a desk left running holds its port.
        stack.callback(together, office.stop, section.stop)
        office.start()
        section.start()
        office.wait_ready()
        section.wait_ready()
        yield Desks(office, section, mailbox, seed)


# What staff do on each desk (`uadesk shell -c`) ----------------------------------------------------------

OFFICE_READY = """
import json
from uadesk.actions.models import Action, Section
Section.objects.create(code="de", name="Deutsche Sektion", country="DE")
a = Action.objects.get()
print(json.dumps({"id": a.pk, "slug": a.slug, "title": a.title, "deadline": str(a.effective_deadline),
    "targets": [[t.pk, t.name, t.channels_offered()]
                for t in a.targets.filter(localisation=None).order_by("position", "pk")]}))
"""

SECTION_READY = """
from uadesk.actions.models import Section
Section.objects.create(code="de", name="Deutsche Sektion", country="DE")
print("{}")
"""

# The section's staff look at the draft, then translate, localise and publish it, and send it to the
# section's one member; what the draft was when they found it is printed.
SECTION_LOCALISE = f"""
import datetime, json
from uadesk.actions.models import Localisation, ModelLetter, Target, Translation
from uadesk.federation.models import FeedEntry
from uadesk.network.mailings import mailing_send
from uadesk.network.models import Mailing, Member
from uadesk.supporters.models import Supporter

entry = FeedEntry.objects.select_related("action").get()
action = entry.action
local = Localisation.objects.select_related("section").get(action=action)
found = {{
    "remote_id": entry.remote_id, "status": action.status, "section": local.section.code,
    "title": action.title, "deadline": str(action.effective_deadline),
    "targets": {{str(t.pk): [entry.target_ids.get(str(t.pk)), t.name]
                for t in action.targets.filter(localisation=None)}},
}}
Translation.objects.create(action=action, localisation=local, language="de", title={GERMAN_TITLE!r},
    summary="Uigurische Männer sind verschwunden.")
ModelLetter.objects.create(action=action, localisation=local, language="de", subject="Freilassung",
    body="Ich bitte Sie, die Männer freizulassen.", closing="Hochachtungsvoll")
embassy = Target.objects.create(action=action, localisation=local, name={EMBASSY!r}, position=50,
    emails="botschaft@example.org", address="Märkisches Ufer 54\\n10179 Berlin", country="DE")
local.deadline = action.effective_deadline + datetime.timedelta(days=10)
local.full_clean()
local.save()
action.publish()
Member.objects.create(supporter=Supporter.for_email("mitglied@example.org", language="de"),
    status="active", languages="de, en")
mailing_send(Mailing.objects.get(action=action, kind="new"))
found |= {{"slug": action.slug, "embassy": embassy.pk, "local_deadline": str(local.deadline)}}
print(json.dumps(found))
"""

OFFICE_REPORTS = """
import json
from uadesk.federation.models import SectionReport
print(json.dumps([{
    "section": r.section.code, "action": r.action_id, "final": r.final, "members_mailed": r.members_mailed,
    "signatures": r.signatures, "counted_at": r.counted_at.isoformat(),
    "received_at": r.received_at.isoformat(),
    "counts": sorted([[c.channel, c.on_desk, c.target_id, c.target.name if c.target else None, c.official,
                       c.count] for c in r.counts.select_related("target")], key=repr),
} for r in SectionReport.objects.select_related("section").order_by("pk")]))
"""

# The office's answer to the last report never reached the section desk (a cut connection): it holds
# the report as not sent, and sends the same counts again.
SECTION_ANSWER_LOST = """
from uadesk.federation.models import FeedEntry
print(FeedEntry.objects.update(reported_at=None, reported_digest="", final_reported_at=None))
"""


def office_while_section_down(action_id: int) -> str:
    """The office's staff extend the deadline, record news of the case and publish a second action."""
    return f"""
import datetime, json
from django.utils import timezone
from uadesk.actions.models import Action, Outcome
from uadesk.actions.services import action_create_from_document
from uadesk.api.serializers import action_document

demo = Action.objects.get(pk={action_id})
until = timezone.localdate() + datetime.timedelta(days=45)
demo.extend_deadline(until, "No answer yet: the appeal goes on.")
outcome = Outcome.objects.create(action=demo, kind=Outcome.Kind.ACCESS_GRANTED,
    happened_on=timezone.localdate(), public_note={OUTCOME_NOTE!r})
second = action_create_from_document(document=action_document(demo) | {{
    "title": "Second case: a lawyer detained",
    "deadline": str(timezone.localdate() + datetime.timedelta(days=20))}})
second.publish()
print(json.dumps({{"extended_to": str(until), "outcome": outcome.pk, "second": second.pk,
                  "second_title": second.title}}))
"""


# Waits (in the one process) until the section desk's own worker has caught up, then shows what it holds.
SECTION_STATE = """
import json, time
from uadesk.actions.models import Action, Outcome
from uadesk.appeals.models import Appeal
from uadesk.federation.models import FeedEntry
deadline = time.monotonic() + 120
while FeedEntry.objects.count() < 2 and time.monotonic() < deadline:
    time.sleep(0.5)
print(json.dumps({
    "actions": Action.objects.count(), "outcomes": Outcome.objects.count(),
    "appeals": Appeal.objects.count(),
    "entries": [{
        "remote_id": e.remote_id, "status": e.action.status, "title": e.action.title,
        "extended_to": str(e.action.deadline_extended_to), "reason": e.action.deadline_extension_reason,
        "outcomes": [o.public_note for o in e.action.outcomes.all()],
        "changed": e.changed_fields,
        "localisations": [[l.section.code, str(l.deadline), [t.language for t in l.translations.all()],
                           [t.name for t in l.targets.all()]] for l in e.action.localisations.all()],
    } for e in FeedEntry.objects.select_related("action").order_by("remote_id")],
}))
"""


# A supporter's browser ----------------------------------------------------------------------------------


class Browser:
    """A supporter's browser on one desk: its cookies kept, redirects followed, each form posted from
    the page it came on (Origin and Referer, as the desk's CSRF check wants)."""

    def __init__(self, desk: Desk):
        self.base = desk.url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

    def open(self, path: str, form: dict | None = None, page: str | None = None) -> tuple[int, str, str]:
        url = self.base + path
        data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        headers = {"Origin": self.base, "Referer": self.base + (page or path)} if form is not None else {}
        request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (loopback http)
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.status, answer.read().decode(), urllib.parse.urlsplit(answer.geturl()).path
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), path


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def write(browser: Browser, slug: str, targets: dict[int, str], **writer) -> str:
    """An appeal written on the section's version of the action; the path of the page it ends on."""
    compose = f"/de/actions/{slug}/write/?section={SECTION}"
    status, html, _ = browser.open(compose)
    assert status == 200, html[-2000:]
    form = {
        "csrfmiddlewaretoken": hidden(html, "csrfmiddlewaretoken"), "key": hidden(html, "key"),
        "section": SECTION, "targets": list(targets), "language": "de", "step": "send",
        "body": "Ich bitte Sie, die Männer freizulassen.\n\nHochachtungsvoll,", "country": "DE",
        **{f"channel_{pk}": channel for pk, channel in targets.items()}, **writer,
    }  # fmt: skip
    status, html, sent = browser.open(f"/de/actions/{slug}/write/", form, page=compose)
    assert status == 200 and "/appeals/" in sent, html[-3000:]
    return sent


def statuses(browser: Browser, sent: str, until: set[str], timeout: float = 60) -> dict[int, str]:
    """The letters' statuses as the supporter's page asks for them, once each is one of `until`."""
    deadline = time.monotonic() + timeout
    while True:
        status, body, _ = browser.open(sent + "status.json")
        assert status == 200, body
        found = {a["target"]: a["status"] for a in json.loads(body)["appeals"]}
        if set(found.values()) <= until or time.monotonic() > deadline:
            return found
        time.sleep(0.3)


def posted(browser: Browser, sent: str, target: int) -> None:
    """The supporter says they posted the letter they printed."""
    status, html, _ = browser.open(sent)
    assert status == 200
    form = {"csrfmiddlewaretoken": hidden(html, "csrfmiddlewaretoken"), "target": target}
    status, html, _ = browser.open(sent + "confirm/", form, page=sent)
    assert status == 200, html[-2000:]


def link_to(mailbox: Mailbox, address: str, pattern: str, timeout: float = 60) -> str:
    """The path of the first link matching `pattern` in an email to `address` (in whatever language
    the desk wrote it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in list(mailbox.messages):
            found = re.search(rf"https?://[^/\s]+(/\S*{pattern})", text_of(message))
            if message["To"] == address and found:
                return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no link {pattern} to {address}: {[m['To'] for m in mailbox.messages]}")


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


# Reports sent by hand ------------------------------------------------------------------------------------


def report_by_hand(desk: Desk, body: bytes, token: str, header: str) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 (loopback http)
        desk.url + REPORTS, data=body, method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}",
                 signing.HEADER: header},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def signed(key: Ed25519PrivateKey, body: bytes) -> str:
    return signing.sign(key, method="POST", target=REPORTS, body=body)


def counts_of(report: dict) -> list:
    """What a report says, without when it was counted or received."""
    return [report["section"], report["action"], report["final"], report["members_mailed"],
            report["signatures"], report["counts"]]  # fmt: skip


# The story --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def linked(desks):
    """The section desk subscribed to the office desk's feed, as staff of both link them from their
    command lines, and the office's action pulled onto it."""
    office, section = desks.office, desks.section
    desks.office_action, _, section_key = together(
        lambda: office.shell(OFFICE_READY),
        lambda: section.shell(SECTION_READY),
        lambda: section.ok("federation", "key").strip(),
    )
    granted = office.ok("federation", "grant", SECTION, "--desk-key", section_key)
    token = re.search(r"^token: (uadf_\S+)$", granted, re.M).group(1)
    office_key = re.search(r"^office_key: (ed25519:\S+)$", granted, re.M).group(1)
    with urllib.request.urlopen(office.url + "/federation/key", timeout=30) as answer:  # noqa: S310
        shown = answer.read().decode().strip()
    subscribed = section.ok(
        "federation", "subscribe", office.url + "/federation/feed", "--token", token,
        "--office-key", office_key, "--section", SECTION, "--name", OFFICE_NAME,
    )  # fmt: skip
    pulled = section.ok("federation", "pull")
    return {"token": token, "office_key": office_key, "shown_key": shown, "section_key": section_key,
            "subscribed": subscribed, "pulled": pulled}  # fmt: skip


@pytest.fixture(scope="module")
def counted(desks, linked):
    """The section's staff publish their version, two supporters write (one by email through the desk,
    one by post), a member says they acted, and the section desk reports."""
    office, section, mailbox = desks.office, desks.section, desks.mailbox
    local = section.shell(SECTION_LOCALISE)
    slug = local["slug"]
    # This desk's copy of the office's first official.
    given = int(
        next(k for k, (_, name) in local["targets"].items() if name == desks.office_action["targets"][0][1])
    )
    page = Browser(section).open(f"/de/sections/{SECTION}/actions/{slug}/")

    ana = Browser(section)
    ana_sent = write(ana, slug, {given: "email", local["embassy"]: "email"}, name="Ana Lima", town="Köln",
                     email="ana@example.org")  # fmt: skip
    status, html, _ = ana.open(link_to(mailbox, "ana@example.org", r"/appeals/confirm/[^/\s]+/"), {})
    assert status == 200, html[-2000:]

    ben = Browser(section)
    ben_sent = write(ben, slug, {given: "post"}, name="Ben Wolf", town="Bonn")
    posted(ben, ben_sent, given)

    # The member's "I have acted" from the section's mailing: the page, then its one button.
    acted = link_to(mailbox, "mitglied@example.org", r"/acted/[^/\s]+/email/")
    member = Browser(section)
    status, html, _ = member.open(acted)
    assert status == 200, html[-2000:]
    status, html, _ = member.open(acted, {"csrfmiddlewaretoken": hidden(html, "csrfmiddlewaretoken")})
    assert status == 200, html[-2000:]

    letters = [statuses(ana, ana_sent, {"sent"}), statuses(ben, ben_sent, {"posted"})]
    reported = section.ok("federation", "report")
    return {
        "local": local, "given": given, "page": page, "letters": letters, "reported": reported,
        "office_reports": office.shell(OFFICE_REPORTS),
    }  # fmt: skip


def expected_counts(desks: Desks) -> list:
    office_target, office_name = desks.office_action["targets"][0][:2]
    return sorted(
        [
            ["email", True, office_target, office_name, "", 1],  # Ana, to the official the office gave
            ["email", True, None, None, EMBASSY, 1],  # Ana, to the embassy the section added: by its name
            ["post", True, office_target, office_name, "", 1],  # Ben's letter, posted
            ["email", False, None, None, "", 1],  # the member's "I have acted"
        ],
        key=repr,
    )


def test_the_offices_action_is_localised_published_written_to_and_counted_back_on_the_office(
    desks, linked, counted
):
    office_action = desks.office_action
    # Staff compare the key they were given with the office's own page, out of band.
    assert linked["office_key"] == linked["shown_key"]
    assert linked["section_key"].startswith("ed25519:") and linked["section_key"] != linked["office_key"]
    assert linked["subscribed"].strip() == f"subscribed to {desks.office.url}/federation/feed"
    # The section desk's worker pulls every five minutes too: on a slow machine it may have come first.
    assert linked["pulled"].strip() in [f"{OFFICE_NAME}: {n} new, 0 changed, 0 outcomes" for n in (1, 0)]
    # The office's first official takes letters by email and by post: the supporters below use both.
    assert {"email", "post"} <= set(office_action["targets"][0][2])

    local = counted["local"]
    # The draft as the section's staff found it: the office's case, its officials mapped to the
    # office's ids, the section's localisation waiting, and still open (the office's extension came).
    assert local["status"] == "draft" and local["section"] == SECTION
    assert local["remote_id"] == office_action["id"] and local["title"] == office_action["title"]
    assert local["deadline"] == office_action["deadline"]
    assert sorted(local["targets"].values()) == sorted([pk, name] for pk, name, _ in office_action["targets"])

    status, html, _ = counted["page"]
    assert status == 200
    assert GERMAN_TITLE in html and EMBASSY in html

    given, embassy = counted["given"], local["embassy"]
    assert counted["letters"] == [{given: "sent", embassy: "sent"}, {given: "posted"}]
    assert "botschaft@example.org" in {to for m in desks.mailbox.messages for to in m.envelope_recipients}
    assert counted["reported"].strip() == "1 of 1 reports sent"

    [report] = counted["office_reports"]
    assert counts_of(report) == [SECTION, office_action["id"], False, 1, 0, expected_counts(desks)]


def when(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def test_a_report_sent_again_replaces_the_first_and_counts_once(desks, counted):
    office, section = desks.office, desks.section
    [first] = counted["office_reports"]
    assert section.shell(SECTION_ANSWER_LOST) == 1
    again = section.ok("federation", "report")
    # Its counts unchanged since, the section desk has nothing to send; the office keeps one report.
    unchanged, [report] = together(
        lambda: section.ok("federation", "report"), lambda: office.shell(OFFICE_REPORTS)
    )
    assert again.strip() == "1 of 1 reports sent"
    assert unchanged.strip() == "0 of 0 reports sent"
    assert counts_of(report) == counts_of(first)
    assert when(report["counted_at"]) > when(first["counted_at"])  # the second took the first's place


def test_a_forged_replayed_or_wrong_token_report_is_refused_and_changes_nothing(desks, linked, counted):
    office, token = desks.office, linked["token"]
    key = signing.private_key_from_seed(desks.section_seed)
    assert signing.public_text(key) == linked["section_key"]
    truth = counted["office_reports"][0]
    # What the section desk would send now: the counts the office already holds.
    report = {
        "action_id": desks.office_action["id"],
        "counted_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "final": False, "members_mailed": truth["members_mailed"], "signatures": truth["signatures"],
        "counts": [{"channel": channel, "on_desk": on_desk, "target_id": target, "official": official,
                    "count": n} for channel, on_desk, target, _, official, n in truth["counts"]],
    }  # fmt: skip
    body = json.dumps(report).encode()
    header = signed(key, body)
    assert report_by_hand(office, body, token, header) == (200, {"received": True})
    replayed_at = datetime.datetime.now(datetime.UTC)
    # Each of these would show on the office if it were taken: ten times the counts, counted later.
    inflated = json.dumps(
        report | {"counted_at": replayed_at.isoformat(), "counts": [c | {"count": c["count"] * 10}
                                                                    for c in report["counts"]]}
    ).encode()  # fmt: skip
    answers = {
        "replayed": report_by_hand(office, body, token, header),
        "another desk's key": report_by_hand(
            office, inflated, token, signed(Ed25519PrivateKey.generate(), inflated)
        ),
        "a body changed after signing": report_by_hand(office, inflated, token, signed(key, body)),
        "a token never given": report_by_hand(
            office, inflated, "uadf_" + secrets.token_urlsafe(32), signed(key, inflated)
        ),
    }
    [kept] = office.shell(OFFICE_REPORTS)
    assert {name: (status, answer["error"]["code"]) for name, (status, answer) in answers.items()} == {
        "replayed": (409, "replayed"),
        "another desk's key": (401, "bad_signature"),
        "a body changed after signing": (401, "bad_signature"),
        "a token never given": (401, "unauthorized"),
    }
    assert answers["replayed"][1]["error"]["message"] == "This request was received before."
    assert "another desk's key" in answers["another desk's key"][1]["error"]["message"]
    assert answers["a token never given"][1]["error"]["message"] == "The token is unknown or revoked."
    assert counts_of(kept) == counts_of(truth)
    # The genuine report was taken once: its counting time stands, and it was received before the copy.
    assert when(kept["counted_at"]) == when(report["counted_at"])
    assert when(kept["received_at"]) < replayed_at


def test_a_section_desk_down_for_a_day_catches_up_without_loss_or_double_counting(desks, linked, counted):
    office, section = desks.office, desks.section
    local = counted["local"]
    section.stop()
    try:
        changed = office.shell(office_while_section_down(desks.office_action["id"]))
    finally:
        section.start()
        section.wait_ready()
    # Nobody pulls by hand: the desk's worker pulls as it starts again (uadesk/schedule.py), from the
    # cursor it kept.
    state = section.shell(SECTION_STATE)
    # The cursor stays a minute back, so these pulls are served the same changes again.
    again, reported = together(
        lambda: section.ok("federation", "pull"), lambda: section.ok("federation", "report")
    )
    status, html, _ = Browser(section).open(f"/de/sections/{SECTION}/actions/{local['slug']}/")

    assert again.strip() == f"{OFFICE_NAME}: 0 new, 0 changed, 0 outcomes"
    first, second = state["entries"]
    assert first["remote_id"] == desks.office_action["id"] and first["status"] == "published"
    assert first["extended_to"] == changed["extended_to"]
    assert first["reason"] == "No answer yet: the appeal goes on."
    assert "deadline_extended_to" in first["changed"]
    assert first["outcomes"] == [OUTCOME_NOTE]
    # The section's own version of the case is as its staff left it.
    assert first["localisations"] == [[SECTION, local["local_deadline"], ["de"], [EMBASSY]]]
    assert second == {
        "remote_id": changed["second"], "status": "draft", "title": changed["second_title"],
        "extended_to": "None", "reason": "", "outcomes": [], "changed": [],
        "localisations": [[SECTION, "None", [], []]],
    }  # fmt: skip
    assert (state["actions"], state["outcomes"], state["appeals"]) == (2, 1, 3)
    assert reported.strip() == "0 of 0 reports sent"  # nothing it counted changed while it was down
    assert status == 200 and OUTCOME_NOTE in html


def test_an_office_desk_that_is_down_leaves_the_section_desk_working(desks, counted):
    office, section = desks.office, desks.section
    slug, given = counted["local"]["slug"], counted["given"]
    office.stop()
    status, html, _ = Browser(section).open(f"/de/sections/{SECTION}/actions/{slug}/")
    cleo = Browser(section)
    sent = write(cleo, slug, {given: "post"}, name="Cleo Berg", town="Mainz")
    posted(cleo, sent, given)
    letters = statuses(cleo, sent, {"posted"})
    pulled, reported = together(
        lambda: section.command("federation", "pull"), lambda: section.command("federation", "report")
    )

    assert status == 200 and GERMAN_TITLE in html
    assert letters == {given: "posted"}
    assert pulled.returncode == 1
    assert pulled.stderr.strip().startswith(f"CommandError: {OFFICE_NAME}: the office desk did not answer")
    assert len(pulled.stderr.strip().splitlines()) == 1, pulled.stderr
    assert reported.returncode == 1, reported.stderr
    assert reported.stdout.strip() == "0 of 1 reports sent"
    # The warning names the reason for staff; the last line, what happens next.
    assert "Connection refused" in reported.stderr
    assert reported.stderr.strip().splitlines()[-1] == (
        "CommandError: 1 reports not sent; they go again on the next run"
    )
