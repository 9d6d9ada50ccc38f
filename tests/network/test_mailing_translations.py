"""A mailing tells the case in the member's language where the action has a translation in it."""

import pytest

from tests.network.test_mailings import draft, member, send_and_queue
from tests.network.test_print_run import member as member_by_post
from tests.network.test_print_run import read
from uadesk.actions.models import Translation
from uadesk.delivery.tasks import deliver_messages
from uadesk.network.models import Mailing, Member, Recipient
from uadesk.network.printrun import print_run_pdf

pytestmark = pytest.mark.django_db


def test_a_member_gets_the_case_translated_and_one_without_a_translation_gets_the_original(
    open_action, smtp_server
):
    mailbox, _ = smtp_server
    xi = open_action.targets.get(name="Xi Jinping")
    Translation.objects.create(
        action=open_action, language="es", title="Detenidos y desaparecidos en el noroeste",
        summary="Un resumen del caso en castellano.", asks="Liberadlos ya\nDecid dónde están",
        officials={str(xi.pk): {"title": "Presidente de la República", "salutation": "Señor Presidente"}},
    )  # fmt: skip
    member("es@example.org", languages="de,es")  # German first, which the case is not told in
    member("ar@example.org", languages="ar")
    send_and_queue(draft(open_action))
    assert deliver_messages.call() == 2
    received = {m["To"]: m for m in mailbox.wait_for(2)}

    spanish = received["es@example.org"]
    assert spanish["Subject"].endswith("Detenidos y desaparecidos en el noroeste")
    text = spanish.get_body(("plain",)).get_content()
    assert "Un resumen del caso en castellano." in text and "- Liberadlos ya" in text
    assert "Xi Jinping, Presidente de la República" in text and "Señor Presidente" in text
    assert open_action.summary[:40] not in text
    html = spanish.get_body(("html",)).get_content()
    assert '<html lang="es"' in html
    assert '<h1 lang="es" dir="auto">Detenidos y desaparecidos en el noroeste</h1>' in html
    assert '<span lang="es" dir="auto">Presidente de la República</span>' in html

    arabic = received["ar@example.org"]  # the interface in Arabic, the case as the UA tells it
    html = arabic.get_body(("html",)).get_content()
    assert '<html lang="ar" dir="rtl"' in html
    assert f'<h1 lang="en" dir="auto">{open_action.title}</h1>' in html
    assert "Detenidos" not in html


def test_the_print_run_gives_a_member_by_post_the_case_in_their_language(open_action):
    Translation.objects.create(
        action=open_action, language="fr", title="Disparus et détenus arbitrairement",
        summary="Un résumé du cas en français.", asks="Libérez-les",
    )  # fmt: skip
    reader = member_by_post("Alain Dupont", ["12 rue des Lilas", "75011 Paris"], "75011", "fr")
    other = member_by_post("Clara Weiss", ["Lindenstraße 4", "10117 Berlin"], "10117", "de")
    mailing = Mailing.objects.create(action=open_action, kind=Mailing.Kind.NEW)
    for m, language in ((reader, "fr"), (other, "de")):
        Recipient.objects.create(mailing=mailing, member=m, language=language, channel=Member.Channel.POST)
    text = " ".join(" ".join(p.extract_text().split()) for p in read(print_run_pdf(mailing)).pages)
    assert "Disparus et détenus arbitrairement" in text and "Un résumé du cas en français." in text
    # Clara reads German, which the case is not translated into: her pages tell it as the UA does.
    assert " ".join(open_action.summary.split()[:6]) in text
