"""The demo officer's patrol plans and a term of believable activity.

Made through the real services, as the officer would: patrols at the main gate at the start
and end of each school day, a weekly route patrol, lessons, advice, meetings, an event and a
training day, spread over the last eight weeks on school days. The same every time for a given
day (a fixed seed), and loading twice adds nothing.
"""

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from saferschools.accounts.models import User
from saferschools.core.models import School
from saferschools.core.selectors import holiday_days
from saferschools.incidents.models import Place, PlaceKind
from saferschools.incidents.services import place_create
from saferschools.lib.schooldays import LONDON, is_school_day, week_start

from . import services
from .models import Activity, ActivityDetail, ActivityKind, PatrolPlan

SOURCE = "command:demo"
OFFICER = "officer@surrey-police.example"
WEEKS = 8
SEED = 20250901
GATE = ("Main gate", PlaceKind.SITE_ZONE)
ROUTE = ("Station Road to Horley station", PlaceKind.TRAVEL_ROUTE)


@dataclass(frozen=True)
class Entry:
    school: School
    kind: str
    detail: str
    start: time
    minutes: int
    place: Place | None = None
    note: str = ""


def _place(officer: User, school: School, name: str, kind: str) -> Place:
    """The school's place of this name, added if the school does not have it yet."""
    found = Place.objects.filter(school=school, name__iexact=name).first()
    return found or place_create(actor=officer, school=school, name=name, kind=kind, source=SOURCE)


def _at(minutes_past: int, hour: int, minute: int) -> time:
    total = hour * 60 + minute + minutes_past
    return time(total // 60, total % 60)


def _day_entries(
    day: date,
    index: int,
    rng: random.Random,
    *,
    secondary: School,
    primary: School,
    gate: Place,
    route: Place,
) -> list[Entry]:
    """What the officer did on one school day (``index`` counts the school days)."""
    weekday = day.weekday()
    week = index // 5
    entries: list[Entry] = []
    if rng.random() < 0.85:
        entries.append(
            Entry(
                secondary,
                ActivityKind.PATROL,
                ActivityDetail.START_OF_DAY,
                _at(rng.randint(0, 10), 8, 5),
                rng.choice([30, 35, 40]),
                gate,
                "Arrivals calm; spoke with parents at the crossing.",
            )
        )
    if weekday == 0:
        entries.append(
            Entry(
                secondary,
                ActivityKind.MEETING,
                ActivityDetail.SCHOOL_MANAGEMENT,
                time(10, 0),
                rng.choice([45, 60]),
                note="Weekly briefing with the head teacher and the safeguarding lead.",
            )
        )
    if weekday == 1:
        entries.append(
            Entry(
                secondary,
                ActivityKind.LESSON,
                ActivityDetail.PSHE,
                time(11, 5),
                60,
                note="Year 9 PSHE: knife crime, the law and its consequences.",
            )
        )
    if weekday == 2:
        entries.append(
            Entry(
                secondary,
                ActivityKind.PATROL,
                ActivityDetail.TRAVEL_ROUTES,
                _at(rng.randint(0, 10), 15, 30),
                rng.choice([50, 55, 60]),
                route,
                "Walked the route to the station with the neighbourhood PCSO.",
            )
        )
    if weekday == 3 and week % 2 == 0:
        entries.append(
            Entry(
                secondary,
                ActivityKind.MEETING,
                ActivityDetail.MULTI_AGENCY,
                time(13, 30),
                90,
                note="Multi-agency meeting: youth offending service, early help, education "
                "welfare.",
            )
        )
    if weekday == 3 and week % 2 == 1:
        entries.append(
            Entry(
                primary,
                ActivityKind.LESSON,
                ActivityDetail.CITIZENSHIP,
                time(13, 45),
                45,
                note="Year 6 citizenship: what the police do, and staying safe on the way to "
                "secondary school.",
            )
        )
    if weekday == 4 and week % 2 == 0:
        entries.append(
            Entry(
                secondary,
                ActivityKind.PATROL,
                ActivityDetail.TRUANCY,
                time(10, 30),
                60,
                note="Truancy sweep of the town centre with the education welfare officer.",
            )
        )
    if rng.random() < 0.5:
        entries.append(
            Entry(
                secondary,
                ActivityKind.ONE_TO_ONE,
                "",
                _at(rng.randint(0, 15), 12, 20),
                rng.choice([15, 20, 30]),
                note=rng.choice(
                    [
                        "Advice to a year 10 pupil about sharing images online.",
                        "Follow-up after a pupil's report about the station alley.",
                        "Spoke with a year 8 pupil about a falling-out that moved online.",
                        "Restorative conversation after a lunchtime scuffle.",
                    ]
                ),
            )
        )
    if rng.random() < 0.75:
        entries.append(
            Entry(
                secondary,
                ActivityKind.PATROL,
                ActivityDetail.END_OF_DAY,
                _at(rng.randint(0, 10), 15, 0),
                rng.choice([35, 40, 45]),
                gate,
                "Home time; buses left on time.",
            )
        )
    if weekday == 0 and week % 4 == 3:
        entries.append(
            Entry(
                secondary,
                ActivityKind.MEETING,
                ActivityDetail.NEIGHBOURHOOD_TEAM,
                time(16, 30),
                60,
                note="Neighbourhood team tasking: after-school gatherings near the station.",
            )
        )
    return entries


# One-off entries: (school day number from the start, "secondary" or "primary", entry fields).
ONE_OFFS = [
    (
        12,
        "secondary",
        (
            ActivityKind.TRAINING,
            "",
            time(9, 30),
            180,
            "Force safeguarding refresher, held at the school.",
        ),
    ),
    (
        18,
        "primary",
        (ActivityKind.EVENT, "", time(14, 0), 90, "Bike marking in the playground."),
    ),
    (
        27,
        "secondary",
        (
            ActivityKind.EVENT,
            "",
            time(18, 0),
            120,
            "Year 7 parents' evening: stand on online safety.",
        ),
    ),
    (
        33,
        "secondary",
        (ActivityKind.OTHER, "", time(14, 0), 30, "Checked the CCTV by the bike sheds."),
    ),
]


@transaction.atomic
def demo_activity(*, secondary: School, primaries: list[School], today: date | None = None) -> None:
    """Give the demo officer patrol plans and eight weeks of activity, unless they have them."""
    officer = User.objects.filter(email=OFFICER).first()
    if officer is None:
        return
    today = today or timezone.localdate()
    primary = primaries[0] if primaries else secondary
    gate = _place(officer, secondary, *GATE)
    route = _place(officer, secondary, *ROUTE)
    first_monday = week_start(today) - timedelta(weeks=WEEKS)

    if not PatrolPlan.objects.filter(officer=officer).exists():
        plans = [
            (gate, [0, 1, 2, 3, 4], time(8, 5), time(8, 45)),
            (gate, [0, 1, 2, 3, 4], time(15, 0), time(15, 45)),
            (route, [2], time(15, 30), time(16, 30)),
        ]
        for place, weekdays, starts_at, ends_at in plans:
            services.patrol_plan_create(
                actor=officer,
                data=services.PatrolPlanInput(
                    school_urn=secondary.urn,
                    place_id=place.pk,
                    weekdays=weekdays,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    valid_from=first_monday,
                ),
                source=SOURCE,
            )

    if Activity.objects.filter(officer=officer).exists():
        return
    rng = random.Random(SEED)  # noqa: S311 - made-up activity, not security
    now = timezone.now()
    # The officer works in term time: no patrols logged in the area's school holidays.
    holidays = holiday_days(secondary.area, first_monday, today)
    school_days = [
        day
        for day in (first_monday + timedelta(days=n) for n in range(WEEKS * 7 + 7))
        if day <= today and is_school_day(day) and day not in holidays
    ]
    schools = {"secondary": secondary, "primary": primary}
    for index, day in enumerate(school_days):
        entries = _day_entries(
            day, index, rng, secondary=secondary, primary=primary, gate=gate, route=route
        )
        for number, where, (kind, detail, start, minutes, note) in ONE_OFFS:
            if number == index:
                entries.append(Entry(schools[where], kind, detail, start, minutes, note=note))
        for entry in entries:
            started_at = datetime.combine(day, entry.start, tzinfo=LONDON)
            if started_at + timedelta(minutes=entry.minutes) > now:
                continue
            services.activity_log(
                actor=officer,
                data=services.ActivityInput(
                    school_urn=entry.school.urn,
                    kind=entry.kind,
                    detail=entry.detail,
                    started_at=started_at,
                    minutes=entry.minutes,
                    place_id=entry.place.pk if entry.place else None,
                    note=entry.note,
                ),
                source=SOURCE,
            )
