"""Small helpers of the API tests: counted appeals without the worker, and JSON requests."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from uadesk.appeals.models import Appeal
from uadesk.supporters.models import Supporter


def counted_appeal(
    action, *, name="Ana Lima", email="ana@example.org", channel="post", status="posted"
) -> Appeal:
    """An appeal that already counts (posted by the supporter), with a supporter who gave their email."""
    target = action.targets.first()
    supporter = Supporter.for_email(email) if email else None
    return Appeal.objects.create(
        action=action, target=target, channel=channel, subject="s", body="Dear …", supporter_name=name,
        supporter_town="Porto", supporter_country="PT", supporter=supporter, status=status,
    )  # fmt: skip


def send(client, method: str, path: str, data=None, *, auth=None, content_type="application/json", **headers):
    body = json.dumps(data) if content_type == "application/json" and data is not None else data
    if auth:
        headers["HTTP_AUTHORIZATION"] = auth
    return getattr(client, method.lower())(path, body or "", content_type=content_type, **headers)


class Receiver:
    """An organisation's endpoint: records each POST and answers with the next status of `answers`."""

    def __init__(self, answers=()):
        self.requests: list[tuple[dict, bytes]] = []
        self.answers = list(answers)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/uadesk"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
