"""The demo area's neighbourhood crime: three real Surrey months from data.police.uk."""

from datetime import date
from pathlib import Path

from django.db import transaction

from saferschools.core.models import School

from .crime import CrimeMonthImport, crime_month_import
from .models import CrimeMonth, PlaceKind
from .models.incidents import PLACE_LOCATION

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
SOURCE = "command:demo"
DEMO_FORCE = "Surrey Police"
DEMO_MONTHS = {
    "2023-09-surrey-street.csv": date(2023, 9, 1),
    "2023-10-surrey-street.csv": date(2023, 10, 1),
    "2023-11-surrey-street.csv": date(2023, 11, 1),
}


@transaction.atomic
def demo_crime() -> list[CrimeMonthImport]:
    """Import the demo's Surrey months that are not imported yet; returns what was imported.

    Running it again imports nothing: a month already there (from the demo or from a real file)
    is left as it is.
    """
    imported = []
    for name, month in DEMO_MONTHS.items():
        if CrimeMonth.objects.filter(force=DEMO_FORCE, month=month).exists():
            continue
        imported.append(
            crime_month_import(actor=None, file=DEMO_DATA / name, file_name=name, source=SOURCE)
        )
    return imported


# The demo school's places: (name, kind, pin on the site plan in per cent, or None).
DEMO_PLACES = (
    ("Main gate", PlaceKind.SITE_ZONE, (50.0, 92.0)),
    ("Bike shed", PlaceKind.SITE_ZONE, (82.0, 78.0)),
    ("Changing rooms", PlaceKind.SITE_ZONE, (70.0, 30.0)),
    ("Canteen", PlaceKind.SITE_ZONE, (30.0, 55.0)),
    ("Toilets by the science block", PlaceKind.SITE_ZONE, (18.0, 28.0)),
    ("Playing field", PlaceKind.SITE_ZONE, (60.0, 10.0)),
    ("Station Road to Horley station", PlaceKind.TRAVEL_ROUTE, None),
    ("Bus stop on Balcombe Road", PlaceKind.STOP, None),
    ("Horley Recreation Ground", PlaceKind.NEIGHBOURHOOD_POINT, None),
)

# (place, category, severity, hour, minute, victim?, perpetrator described?, description)
DEMO_INCIDENTS = (
    ("Canteen", "bullying", "low", 12, 40, True, False, "Food taken from a year 7 pupil's tray."),
    ("Bike shed", "theft", "medium", 15, 25, True, False, "A bike lock cut and the bike taken."),
    (
        "Toilets by the science block",
        "drugs_alcohol",
        "medium",
        11,
        0,
        False,
        False,
        "Vapes found being sold at break.",
    ),
    ("Changing rooms", "assault", "high", 13, 45, True, False, "A pupil pushed into the lockers."),
    (
        "Station Road to Horley station",
        "unsafe_journey",
        "medium",
        15,
        40,
        True,
        True,
        "Older youths asking year 8s for money.",
    ),
    (
        "Main gate",
        "intruder",
        "high",
        8,
        30,
        False,
        True,
        "An adult shouting at pupils at the gate.",
    ),
    (
        "Bus stop on Balcombe Road",
        "anti_social_behaviour",
        "low",
        15,
        30,
        False,
        True,
        "Pupils and others throwing litter and shouting at passers-by.",
    ),
    ("Canteen", "bullying", "low", 12, 50, True, False, "Name-calling in the lunch queue."),
    ("Playing field", "assault", "medium", 12, 55, True, False, "A fight during lunch."),
    (
        "Horley Recreation Ground",
        "gangs",
        "high",
        17,
        30,
        False,
        True,
        "Pupils seen with older youths known to the police.",
    ),
    ("Bike shed", "criminal_damage", "low", 15, 20, False, False, "Graffiti on the bike shed."),
    ("Canteen", "hate", "medium", 12, 35, True, False, "Racist comments at a lunch table."),
    ("Changing rooms", "theft", "low", 10, 50, True, False, "A phone taken from a bag during PE."),
    (
        "Station Road to Horley station",
        "weapon_found",
        "critical",
        15,
        35,
        False,
        True,
        "A knife found on an older youth after a stop and search near the station.",
    ),
)


def _plan_png() -> bytes:
    """A simple drawn site plan: buildings, the field and the gate, the same every time."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), (236, 240, 232))
    draw = ImageDraw.Draw(image)
    buildings = [
        ((60, 100, 300, 250), "Science block"),
        ((120, 280, 380, 400), "Main building and canteen"),
        ((470, 130, 660, 240), "Sports hall and changing rooms"),
        ((580, 420, 740, 500), "Bike shed"),
    ]
    draw.rectangle((380, 20, 760, 110), fill=(168, 206, 150), outline=(80, 120, 60))
    draw.text((390, 30), "Playing field", fill=(20, 60, 20))
    for box, label in buildings:
        draw.rectangle(box, fill=(200, 200, 210), outline=(60, 60, 70), width=2)
        draw.text((box[0] + 8, box[1] + 8), label, fill=(10, 10, 10))
    draw.rectangle((360, 540, 440, 600), fill=(160, 160, 160))
    draw.text((365, 520), "Main gate", fill=(10, 10, 10))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@transaction.atomic
def demo_incidents(*, secondary: School, today: date | None = None) -> int:
    """Places on a site plan and a term of incidents at the demo secondary school, made
    through the services as staff and the officer would; returns how many incidents were made
    (0 when the school has incidents already)."""
    import io
    from datetime import datetime, time, timedelta

    from saferschools.accounts.models import User
    from saferschools.lib.schooldays import LONDON, is_school_day

    from . import plan_services, services
    from .models import Incident, Place, SitePlan
    from .services import IncidentInput, PartyInput

    if Incident.objects.filter(school=secondary).exists():
        return 0
    officer = User.objects.get(email="officer@surrey-police.example")
    staff = User.objects.get(email="teacher@oakwood.example")
    places = {}
    for name, kind, pin in DEMO_PLACES:
        place = Place.objects.filter(school=secondary, name__iexact=name).first()
        if place is None:
            place = services.place_create(
                actor=officer, school=secondary, name=name, kind=kind, source=SOURCE
            )
        if pin is not None and place.plan_x is None:
            plan_services.place_pin(
                actor=officer, place=place, plan_x=pin[0], plan_y=pin[1], source=SOURCE
            )
        places[name] = place
    if not SitePlan.objects.filter(school=secondary).exists():
        plan = io.BytesIO(_plan_png())
        plan.name = "site-plan.png"
        plan_services.site_plan_upload(actor=officer, school=secondary, file=plan, source=SOURCE)

    pupils = list(secondary.pupils.order_by("school_pupil_id"))
    today = today or datetime.now(LONDON).date()
    day = today - timedelta(days=1)
    made = 0
    # Spread the incidents back over the last twelve weeks, on school days, newest first.
    for index, (where, category, severity, hour, minute, victim, outsider, text) in enumerate(
        DEMO_INCIDENTS
    ):
        day -= timedelta(days=3 + index % 4)
        while not is_school_day(day):
            day -= timedelta(days=1)
        parties = []
        if victim and pupils:
            parties.append(PartyInput("victim", str(pupils[(index * 7) % len(pupils)].pk)))
        if outsider:
            parties.append(PartyInput("perpetrator", None, "Someone from outside the school"))
        elif category in {"bullying", "assault", "hate"} and pupils:
            parties.append(
                PartyInput("perpetrator", str(pupils[(index * 11 + 3) % len(pupils)].pk))
            )
        recorder = officer if places[where].kind != PlaceKind.SITE_ZONE else staff
        services.incident_record(
            actor=recorder,
            school=secondary,
            data=IncidentInput(
                occurred_at=datetime.combine(day, time(hour, minute), tzinfo=LONDON),
                location_kind=PLACE_LOCATION[PlaceKind(places[where].kind)].value,
                category=category,
                severity=severity,
                description=text,
                place_id=str(places[where].pk),
                parties=parties,
                restorative_approach=category in {"bullying", "hate"},
                restorative_outcome="Agreed to keep apart; checked a week later"
                if category in {"bullying", "hate"}
                else "",
                police_action="words_of_advice" if outsider else "none",
            ),
            source=SOURCE,
        )
        made += 1
    return made
