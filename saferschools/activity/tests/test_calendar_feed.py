"""The private calendar feed: read back as a calendar program would read it (RFC 5545)."""

from datetime import UTC, date, datetime, time

import pytest
from django.contrib.sessions.models import Session

from saferschools.activity import ical, services
from saferschools.activity.models import CalendarFeed
from saferschools.core.models import AuditEvent
from saferschools.incidents.models import Place, PlaceKind
from saferschools.lib.schooldays import LONDON

from .helpers import plan

pytestmark = pytest.mark.django_db

DASH = "\N{EN DASH}"


def unfold(text: str) -> list[str]:
    """The content lines of an iCalendar text: every line must end in CRLF, each at most 75
    octets, and a line starting with a space continues the one before."""
    assert text.endswith("\r\n")
    physical = text.split("\r\n")[:-1]
    lines: list[str] = []
    for line in physical:
        assert "\n" not in line and "\r" not in line
        assert len(line.encode("utf-8")) <= 75, line
        if line.startswith(" "):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append("\n" if following in "nN" else following)
        else:
            assert char not in ",;", f"unescaped {char!r} in {value!r}"
            out.append(char)
    return "".join(out)


def parse(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The calendar's own properties and its events, each a dict of name -> value."""
    calendar: dict[str, str] = {}
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR"
    assert lines[-1] == "END:VCALENDAR"
    for line in lines[1:-1]:
        name, _, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        else:
            (current if current is not None else calendar)[name] = value
    return calendar, events


def utc(value: str) -> datetime:
    assert value.endswith("Z")
    return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def feed_url(officer) -> str:
    _, token = services.calendar_feed_create(actor=officer, source="test")
    return f"/activity/calendar/{token}.ics"


def fetch(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response, parse(response.content.decode("utf-8"))


# The writer --------------------------------------------------------------------------------


def test_text_is_escaped():
    assert ical.ical_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_long_lines_are_folded_at_75_octets_never_inside_a_character():
    line = "SUMMARY:" + "é" * 100 + "🚓" * 10
    folded = ical.ical_fold(line)

    pieces = folded.split("\r\n")
    assert all(len(piece.encode("utf-8")) <= 75 for piece in pieces)
    assert all(piece.startswith(" ") for piece in pieces[1:])
    assert "".join([pieces[0], *(piece[1:] for piece in pieces[1:])]) == line
    assert ical.ical_fold("SHORT:x") == "SHORT:x"


def test_a_time_without_a_zone_is_refused():
    with pytest.raises(ValueError):
        ical.ical_time(datetime(2025, 3, 3, 8, 0))


# The feed ----------------------------------------------------------------------------------


def test_the_feed_is_a_calendar_of_the_officers_patrols(client, world, officer, gate, clock):
    clock.move_to(datetime(2025, 3, 19, 12, 0, tzinfo=LONDON))  # a Wednesday
    made = plan(officer, world.school_a, place_id=gate.pk, weekdays=[0, 2], valid_from="2025-03-17")
    url = feed_url(officer)

    response, (calendar, events) = fetch(client, url)

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//SaferSchools//Patrol plans//EN"
    assert unescape(calendar["X-WR-CALNAME"]) == f"Patrols {DASH} PC Ada Lovell"
    first = events[0]
    assert first["UID"] == f"{made.pk}-20250317@saferschools"
    assert unescape(first["SUMMARY"]) == f"Patrol: Oakwood School {DASH} Main gate"
    assert unescape(first["LOCATION"]) == "Main gate, Oakwood School"
    assert utc(first["DTSTART"]) == datetime(2025, 3, 17, 8, 15, tzinfo=UTC)
    assert utc(first["DTEND"]) == datetime(2025, 3, 17, 8, 45, tzinfo=UTC)
    assert utc(first["DTSTAMP"]) <= datetime(2025, 3, 19, 12, 0, tzinfo=UTC)
    assert len({event["UID"] for event in events}) == len(events)
    assert response["Cache-Control"] == "no-store"
    assert "inline" in response["Content-Disposition"]


def test_patrols_fall_on_school_days_from_four_weeks_back_to_twelve_ahead(
    client, world, officer, clock
):
    clock.move_to(datetime(2025, 4, 10, 12, 0, tzinfo=LONDON))
    plan(officer, world.school_a, valid_from="2025-01-06", weekdays=[0, 1, 2, 3, 4])

    _, (_, events) = fetch(client, feed_url(officer))

    days = sorted(utc(event["DTSTART"]).astimezone(LONDON).date() for event in events)
    assert days[0] == date(2025, 3, 13)  # four weeks before 10 April
    assert days[-1] == date(2025, 7, 3)  # twelve weeks after
    assert all(day.weekday() < 5 for day in days)
    for holiday in [date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 5), date(2025, 5, 26)]:
        assert holiday not in days  # Good Friday, Easter Monday, May bank holidays
    assert date(2025, 4, 17) in days and date(2025, 4, 22) in days


def test_times_follow_uk_clocks_through_the_change_to_summer_time(client, world, officer):
    plan(officer, world.school_a, weekdays=[4], valid_from="2025-03-24", valid_until="2025-04-04")

    _, (_, events) = fetch(client, feed_url(officer))

    starts = [utc(event["DTSTART"]) for event in events]
    # 08:15 on Friday 28 March is GMT; on Friday 4 April it is BST, an hour ahead of UTC.
    assert starts == [
        datetime(2025, 3, 28, 8, 15, tzinfo=UTC),
        datetime(2025, 4, 4, 7, 15, tzinfo=UTC),
    ]


def test_text_in_the_feed_is_escaped_and_long_lines_folded(client, world, officer):
    odd = Place.objects.create(
        school=world.school_a,
        name="Back gate; by the bins, \\ the long path behind the sports hall and the new block",
        kind=PlaceKind.SITE_ZONE,
    )
    plan(officer, world.school_a, place_id=odd.pk, weekdays=[3], valid_until="2025-03-14")

    response, (_, events) = fetch(client, feed_url(officer))

    raw = response.content.decode()
    assert "\r\n " in raw  # at least one folded line
    assert "\n" not in raw.replace("\r\n", "")
    # Thursdays 6 and 13 March.
    assert [unescape(event["SUMMARY"]) for event in events] == [
        f"Patrol: Oakwood School {DASH} {odd.name}"
    ] * 2


def test_only_the_officers_active_plans_at_schools_they_are_deployed_to(
    client, world, officer, school_officer, persona
):
    plan(officer, world.school_a, starts_at="08:00", ends_at="08:30")
    plan(officer, world.school_b, starts_at="09:00", ends_at="09:30", active=False)
    plan(school_officer, world.school_c, starts_at="10:00", ends_at="10:30")

    _, (_, events) = fetch(client, feed_url(officer))

    assert {utc(e["DTSTART"]).astimezone(LONDON).time() for e in events} == {time(8, 0)}
    assert all("Woking" not in e["SUMMARY"] for e in events)


def test_the_feed_names_no_pupil(client, world, officer, gate):
    plan(officer, world.school_a, place_id=gate.pk)

    response, _ = fetch(client, feed_url(officer))

    text = response.content.decode()
    for pupil in (world.pupil_a, world.pupil_b):
        assert pupil.family_name not in text
        assert pupil.given_name not in text


def test_the_feed_needs_no_sign_in_and_starts_no_session(client, world, officer):
    plan(officer, world.school_a)
    url = feed_url(officer)
    sessions = Session.objects.count()

    response = client.get(url)

    assert response.status_code == 200
    assert not response.cookies
    assert Session.objects.count() == sessions


def test_a_revoked_or_unknown_token_is_not_found(client, world, officer):
    plan(officer, world.school_a)
    url = feed_url(officer)
    services.calendar_feed_revoke(actor=officer, source="test")

    assert client.get(url).status_code == 404
    assert client.get("/activity/calendar/not-a-token.ics").status_code == 404
    assert client.get("/activity/calendar/" + "x" * 500 + ".ics").status_code == 404
    assert client.post(url).status_code == 405


def test_an_officer_no_longer_active_has_no_feed(client, world, officer):
    url = feed_url(officer)
    officer.is_active = False
    officer.save()

    assert client.get(url).status_code == 404


def test_the_token_is_not_stored_in_plain_text(client, world, officer):
    url = feed_url(officer)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    client.get(url)

    for model in (CalendarFeed, AuditEvent, Session):
        for row in model.objects.values():
            assert not any(token in str(value) for value in row.values())
