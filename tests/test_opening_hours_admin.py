"""The opening-hours staff pages (/staff/hours/): admins create and change hours, special days and automatic-reply
texts; bad input comes back with the field named and nothing stored; supervisors look, agents are refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.conftest import Personas, client_for
from webcare.hours import actions
from webcare.hours.models import AutoReplyTemplate, OpeningHours, SpecialDay
from webcare.tickets.actions import ActionError

OSLO = ZoneInfo("Europe/Oslo")
OFFICE_FORM = {"name": "Office", "scope": "default", "time_zone": "Europe/Oslo", "holiday_country": "NO",
               "holiday_subdivision": "", **{f"weekly_{day}": "08:00-16:00" for day in range(5)},
               "weekly_5": "", "weekly_6": ""}


def office(personas: Personas, **fields: Any) -> OpeningHours:
    values = {"organisation": personas.org, "name": "Office", "time_zone": "Europe/Oslo", "holiday_country": "NO",
              "weekly": {str(day): [["08:00", "16:00"]] for day in range(5)}} | fields
    return OpeningHours.objects.create(**values)


def test_an_admin_creates_the_organisations_opening_hours(personas: Personas) -> None:
    client = client_for(personas.admin)
    form = client.get(reverse("hours:new"))
    assert form.status_code == 200 and 'name="weekly_0"' in form.content.decode()
    response = client.post(reverse("hours:new"), OFFICE_FORM | {"weekly_0": "08:00-11:30, 12:00-16:00"})
    hours = OpeningHours.objects.get(organisation=personas.org)
    assert response.status_code == 302 and response["Location"] == reverse("hours:edit", args=[hours.pk])
    assert hours.team_id is None and hours.channel_id is None
    assert hours.weekly == {"0": [["08:00", "11:30"], ["12:00", "16:00"]],
                            **{str(day): [["08:00", "16:00"]] for day in range(1, 5)}}
    assert (hours.time_zone, hours.holiday_country, hours.always_open) == ("Europe/Oslo", "NO", False)


def test_an_admin_changes_hours_and_gives_a_team_and_a_channel_their_own(personas: Personas) -> None:
    hours = office(personas)
    client = client_for(personas.admin)
    assert 'value="08:00-16:00"' in client.get(reverse("hours:edit", args=[hours.pk])).content.decode()
    response = client.post(reverse("hours:edit", args=[hours.pk]),
                           OFFICE_FORM | {"name": "Office (winter)", "weekly_5": "10:00-14:00"})
    assert response.status_code == 302
    hours.refresh_from_db()
    assert hours.name == "Office (winter)" and hours.weekly["5"] == [["10:00", "14:00"]]

    client.post(reverse("hours:new"), OFFICE_FORM | {"name": "Team", "scope": f"team:{personas.team.pk}"})
    client.post(reverse("hours:new"), OFFICE_FORM | {"name": "Chat", "scope": f"channel:{personas.channel.pk}",
                                                     "time_zone": "Europe/Berlin", "holiday_country": "DE",
                                                     "holiday_subdivision": "by"})
    team_hours = OpeningHours.objects.get(team=personas.team)
    chat = OpeningHours.objects.get(channel=personas.channel)
    assert team_hours.name == "Team"
    assert (chat.time_zone, chat.holiday_country, chat.holiday_subdivision) == ("Europe/Berlin", "DE", "BY")


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"weekly_2": "22:00-02:00"}, "weekly_2", "Wednesday: 22:00-02:00 crosses midnight"),
    ({"weekly_0": "08:00-16:00, 15:00-17:00"}, "weekly_0", "the intervals overlap at 15:00"),
    ({"weekly_4": "eight to four"}, "weekly_4", "is not an interval like 08:00-16:00"),
    ({"time_zone": "Europe/Olso"}, "time_zone", "is not a known time zone"),
    ({"holiday_country": "XX"}, "holiday_country", "is not a country with a holiday calendar"),
    ({"holiday_country": "DE", "holiday_subdivision": "QQ"}, "holiday_subdivision", "is not a subdivision of DE"),
    ({"name": "  "}, "name", "a name is needed"),
    ({"scope": "team:999999"}, "scope", "choose the whole organisation"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(personas: Personas, change: dict[str, str],
                                                                     field: str, words: str) -> None:
    response = client_for(personas.admin).post(reverse("hours:new"), OFFICE_FORM | change)
    assert response.status_code == 422
    page = response.content.decode()
    assert f'id="error-{field}"' in page and words in page
    assert 'aria-invalid="true"' in page
    assert not OpeningHours.objects.exists()


def test_a_second_default_is_refused(personas: Personas) -> None:
    office(personas)
    response = client_for(personas.admin).post(reverse("hours:new"), OFFICE_FORM | {"name": "Another"})
    assert response.status_code == 422 and 'id="error-scope"' in response.content.decode()
    assert OpeningHours.objects.count() == 1


def test_a_refused_change_leaves_the_stored_hours_as_they_were(personas: Personas) -> None:
    hours = office(personas)
    response = client_for(personas.admin).post(reverse("hours:edit", args=[hours.pk]),
                                               OFFICE_FORM | {"name": "Renamed", "weekly_6": "20:00-04:00"})
    assert response.status_code == 422
    hours.refresh_from_db()
    assert hours.name == "Office" and "6" not in hours.weekly


def test_special_days_are_added_changed_and_removed(personas: Personas) -> None:
    hours = office(personas)
    client = client_for(personas.admin)
    url = reverse("hours:special_add", args=[hours.pk])
    response = client.post(url, {"date": "2026-12-24", "special_name": "Julaften", "intervals": "09:00-13:00"})
    assert response.status_code == 302
    assert client.post(url, {"date": "2026-11-27", "special_name": "Staff day", "closed": "on"}).status_code == 302
    eve = SpecialDay.objects.get(hours=hours, date=date(2026, 12, 24))
    assert (eve.name, eve.intervals) == ("Julaften", [["09:00", "13:00"]])
    assert SpecialDay.objects.get(date=date(2026, 11, 27)).intervals == []
    client.post(url, {"date": "2026-12-24", "special_name": "Julaften", "intervals": "09:00-12:00"})  # same date
    eve.refresh_from_db()
    assert eve.intervals == [["09:00", "12:00"]] and SpecialDay.objects.count() == 2

    response = client.post(url, {"date": "24.12.2026", "special_name": "Julaften", "intervals": "09:00-13:00"})
    assert response.status_code == 422 and 'id="error-date"' in response.content.decode()
    response = client.post(url, {"date": "2026-12-31", "special_name": "Nyttårsaften", "intervals": "13:00-25:00"})
    assert response.status_code == 422 and 'id="error-intervals"' in response.content.decode()
    assert SpecialDay.objects.count() == 2

    client.post(reverse("hours:special_delete", args=[hours.pk, eve.pk]))
    assert list(SpecialDay.objects.values_list("name", flat=True)) == ["Staff day"]


@time_machine.travel(datetime(2026, 12, 20, 12, 0, tzinfo=OSLO), tick=False)
def test_the_list_shows_the_week_and_the_next_days_a_holiday_closes(personas: Personas) -> None:
    hours = office(personas)
    SpecialDay.objects.create(hours=hours, date=date(2026, 12, 24), name="Julaften", intervals=[])
    page = client_for(personas.supervisor).get(reverse("hours:list")).content.decode()
    assert "08:00-16:00" in page and "Whole organisation (default)" in page
    for day, name in (("2026-12-24", "Julaften"), ("2026-12-25", "Første juledag"),
                      ("2027-01-01", "Første nyttårsdag"), ("2027-03-25", "Skjærtorsdag")):
        assert f'datetime="{day}"' in page and name in page
    assert "closed now" in page  # a Sunday


def test_an_admin_writes_an_automatic_reply_and_previews_it(personas: Personas) -> None:
    office(personas)
    client = client_for(personas.admin)
    page = client.get(reverse("hours:replies")).content.decode()
    assert "Vi har stengt nå og er tilbake" in page  # the built-in Norwegian text, shown for reference
    text = "Hei {name}! {brand} har stengt, vi er tilbake {back_at}."
    preview = client.post(reverse("hours:reply_new"), {"kind": "away", "language": "nb", "register": "",
                                                        "text": text, "preview": "1"})
    assert preview.status_code == 200 and "Hei Kari! Fjordnett har stengt, vi er tilbake" in preview.content.decode()
    assert not AutoReplyTemplate.objects.exists()  # a preview stores nothing
    response = client.post(reverse("hours:reply_new"), {"kind": "away", "language": "nb-NO", "register": "",
                                                         "text": text})
    assert response.status_code == 302
    template = AutoReplyTemplate.objects.get()
    assert (template.kind, template.language, template.register, template.text) == ("away", "nb", "", text)

    client.post(reverse("hours:reply_edit", args=[template.pk]), {"kind": "away", "language": "nb",
                                                                  "register": "formal", "text": "Takk {name}."})
    template.refresh_from_db()
    assert (template.register, template.text) == ("formal", "Takk {name}.")
    client.post(reverse("hours:reply_delete", args=[template.pk]))
    assert not AutoReplyTemplate.objects.exists()


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"text": "Hei {navn}, vi er tilbake {back_at}"}, "text", "unknown placeholder {navn}"),
    ({"text": "  "}, "text", "the reply needs text"),
    ({"language": "norsk!"}, "language", "is not a language code"),
    ({"kind": "thanks"}, "kind", "choose which automatic reply"),
    ({"register": "casual"}, "register", "choose formal, informal or either"),
])
def test_a_bad_reply_text_is_refused_naming_the_field(personas: Personas, change: dict[str, str], field: str,
                                                      words: str) -> None:
    form = {"kind": "away", "language": "nb", "register": "", "text": "Hei {name}"} | change
    response = client_for(personas.admin).post(reverse("hours:reply_new"), form)
    assert response.status_code == 422
    assert f'id="error-{field}"' in response.content.decode() and words in response.content.decode()
    assert not AutoReplyTemplate.objects.exists()


def test_an_agent_is_refused_everywhere(personas: Personas) -> None:
    hours = office(personas)
    client = client_for(personas.agent)
    for url in (reverse("hours:list"), reverse("hours:replies"), reverse("hours:new"),
                reverse("hours:edit", args=[hours.pk])):
        assert client.get(url).status_code == 403
    assert client.post(reverse("hours:edit", args=[hours.pk]), OFFICE_FORM | {"name": "Mine"}).status_code == 403
    hours.refresh_from_db()
    assert hours.name == "Office"


def test_a_supervisor_looks_but_does_not_change(personas: Personas) -> None:
    hours = office(personas)
    client = client_for(personas.supervisor)
    page = client.get(reverse("hours:list")).content.decode()
    assert "Office" in page and reverse("hours:edit", args=[hours.pk]) not in page
    assert "only admins change opening hours" in page
    assert client.get(reverse("hours:replies")).status_code == 200
    assert client.get(reverse("hours:edit", args=[hours.pk])).status_code == 403
    assert client.post(reverse("hours:new"), OFFICE_FORM | {"name": "Mine", "scope": "default"}).status_code == 403
    assert client.post(reverse("hours:special_add", args=[hours.pk]),
                       {"date": "2026-12-24", "closed": "on"}).status_code == 403
    assert client.post(reverse("hours:reply_new"), {"kind": "away", "language": "nb", "register": "",
                                                     "text": "Hei"}).status_code == 403
    assert not SpecialDay.objects.exists() and not AutoReplyTemplate.objects.exists()


def test_another_organisations_hours_are_not_found(personas: Personas) -> None:
    hours = office(personas)
    assert client_for(personas.outsider).get(reverse("hours:edit", args=[hours.pk])).status_code == 404


def test_the_actions_refuse_anybody_but_an_admin(personas: Personas) -> None:
    with pytest.raises(ActionError) as caught:
        actions.do_save_hours(personas.org, personas.supervisor, name="x", time_zone="Europe/Oslo", scope="default",
                              weekly={})
    assert caught.value.field == "actor"
    assert not OpeningHours.objects.exists()
