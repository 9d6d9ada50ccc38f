"""The case over time: updates linked into a chain, outcomes told once to those who asked, replies from
targets, and one reminder before the deadline."""

import datetime
import io
import uuid

import pytest
from django.urls import reverse
from docx import Document

from tests.appeals.helpers import confirm
from tests.conftest import SEED_DEADLINE, at, desk_callbacks
from uadesk.actions.models import Action, Outcome, OutcomeNotice, Reminder
from uadesk.actions.services import outcome_record
from uadesk.appeals.models import Appeal, Reply
from uadesk.appeals.services import Writer, appeal_submit
from uadesk.delivery.models import Message
from uadesk.delivery.tasks import deliver_messages
from uadesk.supporters.models import Supporter
from uadesk.supporters.tasks import queue_reminders

pytestmark = pytest.mark.django_db
OPEN_DAY = datetime.date(2022, 9, 1)


def update_of(action, title, *, status="published", days=1):
    return Action.objects.create(
        slug=f"update-{uuid.uuid4().hex[:8]}", title=title, summary="News.", status=status,
        deadline=SEED_DEADLINE, earlier=action,
        published_at=datetime.datetime(2022, 9, days, tzinfo=datetime.UTC),
    )  # fmt: skip


def write(action, email="", *, wants_updates=False, channel="post", to="Xi Jinping"):
    """A letter; its writer confirms the email they gave, if any."""
    target = action.targets.get(name=to)
    with at(OPEN_DAY):
        [appeal] = appeal_submit(
            action=action, targets=[target], channel=channel, language="en", subject="s",
            letters={target.pk: "Release them."}, key=uuid.uuid4(),
            writer=Writer(name="Ada", email=email, wants_updates=wants_updates),
        )  # fmt: skip
        if email:
            confirm(appeal.submission)
    appeal.refresh_from_db()
    return appeal


def test_the_chain_links_earlier_and_later_and_the_first_points_to_the_newest(client, seed_action):
    first_update = update_of(seed_action, "First update", days=2)
    newest = update_of(first_update, "Second update", days=3)
    update_of(newest, "An unpublished draft", status="draft")
    assert [a.title for a in first_update.chain()] == [seed_action.title, "First update", "Second update"]
    assert seed_action.newest_update() == newest and newest.newest_update() is None
    with at(OPEN_DAY):
        page = client.get(seed_action.get_absolute_url()).content.decode()
        middle = client.get(first_update.get_absolute_url()).content.decode()
    assert "There is newer news of this case" in page and newest.get_absolute_url() in page
    assert "An unpublished draft" not in page
    assert "earlier UA" in middle and "later update" in middle


def test_an_action_cannot_update_itself_through_a_loop(seed_action):
    update = update_of(seed_action, "Update")
    seed_action.earlier = update
    with pytest.raises(Exception, match="its own earlier UA"):
        seed_action.full_clean()


def test_outcome_news_goes_once_to_each_supporter_who_asked(
    seed_action, smtp_server, django_capture_on_commit_callbacks
):
    mailbox, _ = smtp_server
    write(seed_action, "ada@example.org", wants_updates=True)
    write(seed_action, "ADA@example.org", wants_updates=True, to="Ma Xingrui")  # the same person
    write(seed_action, "grace@example.org", wants_updates=False)
    write(seed_action, "")  # no email at all
    person = seed_action.individuals.first()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        outcome_record(
            Outcome(action=seed_action, individual=person, kind="released", happened_on=OPEN_DAY,
                    public_note="Released on bail after 2 years.")
        )  # fmt: skip
    assert len(desk_callbacks(queued)) == 1  # a delivery run, after the commit
    person.refresh_from_db()
    assert person.status == "released"
    # One message, to the one follower who asked, written with the outcome.
    assert Message.objects.filter(kind="outcome-news").count() == 1
    deliver_messages.call()  # the news, and the receipts of the letters the two confirmed
    assert Message.objects.get(kind="outcome-news").status == "sent"
    assert deliver_messages.call() == 0  # a second run tells nobody twice
    [message] = [m for m in mailbox.wait_for(3) if m["Subject"].startswith("News of the case")]
    assert message["To"] == "ada@example.org"
    text = message.get_body(("plain",)).get_content()
    assert "Released on bail after 2 years." in text and "/supporters/" in text
    assert OutcomeNotice.objects.count() == 1


def posted_back(response) -> dict:
    """The admin change form's data as the browser would send it back unchanged."""
    data = {}

    def take(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value

    take(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        take(inline.formset.management_form)
        for form in inline.formset.forms:
            take(form)
    return data


def test_staff_record_an_outcome_in_the_admin_and_the_page_shows_it(
    staff_client, client, seed_action, django_capture_on_commit_callbacks
):
    person = seed_action.individuals.first()
    url = reverse("admin:actions_action_change", args=[seed_action.pk])
    with at(OPEN_DAY):
        data = posted_back(staff_client.get(url))
        data |= {
            "individuals-0-name": "Xinjiang detainees",  # the seed's NAME line holds a placeholder
            "outcomes-TOTAL_FORMS": "1", "outcomes-0-individual": str(person.pk),
            "outcomes-0-kind": "sentenced", "outcomes-0-happened_on": "2022-09-01",
            "outcomes-0-public_note": "Sentenced to 10 years.",
        }  # fmt: skip
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = staff_client.post(url, data)
        assert response.status_code == 302, response.context["errors"] if response.context else response
        page = client.get(seed_action.get_absolute_url()).content.decode()
    outcome = Outcome.objects.get()
    assert (outcome.individual, outcome.kind) == (person, "sentenced")
    person.refresh_from_db()
    assert person.status == "sentenced"
    assert len(desk_callbacks(queued)) == 1  # the news goes out after the commit
    assert "Sentenced to 10 years." in page and "What has happened" in page


def test_a_supporter_reports_a_reply_pasted_or_as_a_document(client, seed_action):
    appeal = write(seed_action, "ada@example.org")
    url = reverse("appeals:reply", args=[seed_action.slug, appeal.submission, appeal.target_id])
    assert client.get(url).status_code == 404  # not yet posted: nothing to reply to
    appeal.confirm_sent_by_supporter()
    assert client.post(url, {"text": ""}).status_code == 200  # asks again, nothing saved
    assert not Reply.objects.exists()
    document = Document()
    document.add_paragraph("The case is under review by the procuratorate.")
    upload = io.BytesIO()
    document.save(upload)
    upload.seek(0)
    upload.name = "answer.docx"
    response = client.post(url, {"text": "They wrote back.", "document": upload, "received_on": "2022-10-01"})
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"].endswith("?replied=1")
    reply = Reply.objects.get()
    assert "They wrote back." in reply.text and "under review by the procuratorate" in reply.text
    assert reply.received_on == datetime.date(2022, 10, 1)


def test_a_reply_file_that_cannot_be_read_is_a_form_error(client, seed_action):
    appeal = write(seed_action, "ada@example.org")
    appeal.confirm_sent_by_supporter()
    url = reverse("appeals:reply", args=[seed_action.slug, appeal.submission, appeal.target_id])
    bad = io.BytesIO(b"PK\x03\x04 not really a docx")
    bad.name = "answer.docx"
    response = client.post(url, {"document": bad})
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert not Reply.objects.exists()


def test_one_reminder_before_the_deadline_only_to_those_who_have_not_acted(client, seed_action, smtp_server):
    mailbox, _ = smtp_server
    remind = reverse("supporters:remind", args=[seed_action.slug])
    with at(OPEN_DAY):
        for email in ("ada@example.org", "Ada@Example.org", "grace@example.org"):
            assert client.post(remind, {"email": email}).status_code == 200
        assert client.post(remind, {"email": "not an email"}).status_code == 400
    assert Reminder.objects.count() == 2
    write(seed_action, "grace@example.org")  # Grace acts before the reminder is due
    with at(SEED_DEADLINE - datetime.timedelta(days=4)):
        assert queue_reminders.call() == 0  # not yet in the window
    with at(SEED_DEADLINE - datetime.timedelta(days=3)):
        assert queue_reminders.call() == 1
        assert queue_reminders.call() == 0  # once only
        deliver_messages.call()  # the reminder, and the receipt of Grace's letter
        assert deliver_messages.call() == 0
    [message] = [m for m in mailbox.wait_for(2) if m["Subject"].startswith("A few days left")]
    assert message["To"] == "ada@example.org"
    assert seed_action.get_absolute_url() in message.get_body(("plain",)).get_content()
    ada = Supporter.find("ada@example.org")
    reminder = Reminder.objects.get(supporter=ada)
    assert Message.objects.get(kind="reminder", ref=reminder.pk).status == "sent"


def test_no_reminder_for_a_closed_action(client, seed_action):
    with at(SEED_DEADLINE + datetime.timedelta(days=1)):
        response = client.post(
            reverse("supporters:remind", args=[seed_action.slug]), {"email": "a@example.org"}
        )
    assert response.status_code == 410 and not Reminder.objects.exists()


def test_asking_for_news_needs_an_email(client, seed_action):
    xi = seed_action.targets.get(name="Xi Jinping")
    data = {
        "key": str(uuid.uuid4()), "targets": [xi.pk], "language": "en", "channel": "post",
        "body": "Release them.", "name": "Ada", "town": "", "country": "", "email": "",
        "wants_updates": "on", "step": "send",
    }  # fmt: skip
    with at(OPEN_DAY):
        response = client.post(reverse("appeals:compose", args=[seed_action.slug]), data)
        assert "Give your email above" in response.content.decode()
        data["email"] = "ada@example.org"
        assert client.post(reverse("appeals:compose", args=[seed_action.slug]), data).status_code == 302
    assert Appeal.objects.get().wants_updates
