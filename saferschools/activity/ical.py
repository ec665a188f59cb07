"""A small iCalendar (RFC 5545) writer: a calendar of timed events, nothing more.

Content lines end in CRLF and are folded at 75 octets (never inside a UTF-8 character); text
values are escaped; every time is written in UTC ("Z"), so that no time zone definition is
needed and each calendar program shows the events in its own zone.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

CRLF = "\r\n"
LINE_OCTETS = 75


@dataclass(frozen=True)
class Event:
    uid: str
    stamp: datetime
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""


def ical_text(value: str) -> str:
    """A TEXT value escaped (RFC 5545, 3.3.11): backslash, semicolon, comma and line breaks."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ical_time(moment: datetime) -> str:
    """A DATE-TIME in UTC, e.g. ``20250303T081500Z``; ``moment`` must be aware."""
    if moment.tzinfo is None:
        raise ValueError("An iCalendar time needs a time zone.")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ical_fold(line: str) -> str:
    """One content line folded into lines of at most 75 octets, each continuation starting
    with a space (RFC 5545, 3.1), without splitting a UTF-8 character."""
    pieces: list[str] = []
    current = ""
    size = 0
    limit = LINE_OCTETS
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            pieces.append(current)
            # A continuation line's leading space counts towards its 75 octets.
            current, size, limit = " ", 1, LINE_OCTETS
        current += char
        size += octets
    pieces.append(current)
    return CRLF.join(pieces)


def ical_calendar(*, product: str, name: str, events: Iterable[Event]) -> str:
    """A whole VCALENDAR object with these events, CRLF line endings throughout."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{product}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{ical_text(name)}",
        f"X-WR-CALNAME:{ical_text(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT6H",
        "X-PUBLISHED-TTL:PT6H",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{ical_text(event.uid)}",
            f"DTSTAMP:{ical_time(event.stamp)}",
            f"DTSTART:{ical_time(event.start)}",
            f"DTEND:{ical_time(event.end)}",
            f"SUMMARY:{ical_text(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{ical_text(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{ical_text(event.description)}")
        lines += ["TRANSP:OPAQUE", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(ical_fold(line) + CRLF for line in lines)
