"""The API reports an action's mailings to the network (read scope) and counts members who said they
wrote off the desk apart from the appeals."""

import json

import pytest

from uadesk.network.models import ActedReport, Mailing, Member, Recipient
from uadesk.supporters.models import Supporter

pytestmark = pytest.mark.django_db
LIST = "/api/advocacy_campaigns"


def test_an_actions_mailings_with_their_reports_need_the_read_scope(client, open_action, make_token):
    member = Member.objects.create(supporter=Supporter.for_email("m@example.org"), status="active")
    mailing = Mailing.objects.get(action=open_action)
    Recipient.objects.create(mailing=mailing, member=member, language="en", channel="email", status="sent")
    ActedReport.objects.create(action=open_action, mailing=mailing, member=member, channel="post")
    path = f"{LIST}/{open_action.slug}/mailings"
    assert client.get(path).status_code == 401
    response = client.get(path, HTTP_AUTHORIZATION=make_token("read"))
    assert response.status_code == 200
    [reported] = response.json()["mailings"]
    assert reported["id"] == mailing.pk and reported["kind"] == "new"
    assert reported["recipients"] == reported["sent"] == 1
    assert reported["acted_off_desk"] == {"post": 1} and reported["acted_on_desk"] == {}
    assert "m@example.org" not in json.dumps(response.json())

    outreaches = client.get(f"{LIST}/{open_action.slug}/outreaches").json()
    assert outreaches["total_outreaches"] == 0
    assert outreaches["off_desk_by_channel"] == [{"channel": "post", "total": 1}]
