"""The demo area: a real Surrey cluster of schools with its partners, staff and pupils.

Everything is made through the same services the product uses, so the demo is audited like real
use. Loading twice changes nothing: each step finds what is already there.
"""

import csv
import io
import json
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from saferschools.accounts.models import Role, Scope, User
from saferschools.accounts.services import membership_grant, user_create
from saferschools.casework.services import pupils_import

from .models import Agency, Area, Partnership, School
from .services import (
    agency_create,
    area_create,
    partnership_create,
    school_holiday_add,
    schools_import,
)

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
SOURCE = "command:demo"
AREA_NAME = "Surrey"

AGENCIES = [
    ("Surrey Police", Agency.Kind.POLICE_FORCE),
    ("Surrey County Council", Agency.Kind.LOCAL_AUTHORITY),
    ("Surrey Youth Offending Service", Agency.Kind.YOUTH_OFFENDING_TEAM),
    ("Surrey children and young people's mental health service", Agency.Kind.CAMHS),
    ("Surrey Children's Services", Agency.Kind.CHILDRENS_SOCIAL_CARE),
    ("Education welfare (attendance) service", Agency.Kind.EDUCATION_WELFARE),
    ("School nursing service", Agency.Kind.HEALTH),
    ("Surrey Fire and Rescue Service", Agency.Kind.FIRE),
    ("Horley youth and community project", Agency.Kind.VOLUNTARY),
]

GIVEN_NAMES = [
    "Amelia",
    "Oliver",
    "Isla",
    "George",
    "Ava",
    "Noah",
    "Mia",
    "Arthur",
    "Ivy",
    "Muhammad",
    "Freya",
    "Leo",
    "Lily",
    "Oscar",
    "Florence",
    "Harry",
    "Sophia",
    "Archie",
    "Willow",
    "Jack",
    "Evie",
    "Henry",
    "Grace",
    "Theo",
    "Aisha",
    "Jacob",
    "Zara",
    "Alfie",
    "Maya",
    "Kai",
    "Priya",
    "Tomasz",
    "Chloe",
    "Reuben",
    "Hannah",
    "Samuel",
    "Ella",
    "Yusuf",
    "Poppy",
    "Ethan",
]
FAMILY_NAMES = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Khan",
    "Lewis",
    "Hughes",
    "Kowalski",
    "Edwards",
    "Ahmed",
    "Turner",
    "Hill",
    "Moore",
    "Martin",
    "Cooper",
    "Ward",
    "Morris",
    "King",
    "Baker",
    "Nowak",
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str
    scope: str  # "secondary", "primary", "partnership", "police", "yot", "area", "school:<URN>"


DEMO_USERS = [
    DemoUser("teacher@oakwood.example", "Sam Teacher", Role.SCHOOL_STAFF, "secondary"),
    DemoUser("dsl@oakwood.example", "Dana Lead", Role.SAFEGUARDING_LEAD, "secondary"),
    DemoUser("head@oakwood.example", "Hari Head", Role.HEAD_TEACHER, "secondary"),
    DemoUser("dsl@langshott.example", "Lee Langshott", Role.SAFEGUARDING_LEAD, "primary"),
    DemoUser("officer@surrey-police.example", "PC Olu Officer", Role.SSP_OFFICER, "partnership"),
    DemoUser(
        "sergeant@surrey-police.example", "Sgt Sue Pervisor", Role.POLICE_SUPERVISOR, "police"
    ),
    DemoUser(
        "practitioner@surrey-yos.example", "Yan Practitioner", Role.AGENCY_PRACTITIONER, "yot"
    ),
    DemoUser("analyst@surreycc.example", "Ana Lyst", Role.LA_ANALYST, "area"),
    DemoUser("steering@horley-ssp.example", "Stella Steering", Role.STEERING_MEMBER, "partnership"),
    DemoUser("admin@surreycc.example", "Adam Admin", Role.AREA_ADMIN, "area"),
    # The other head teachers of the cluster, who sign the partnership's protocol for their schools.
    DemoUser("head@langshott.example", "Lara Langshott", Role.HEAD_TEACHER, "school:125104"),
    DemoUser("head@horley-infant.example", "Ines Infant", Role.HEAD_TEACHER, "school:124981"),
    DemoUser("head@yattendon.example", "Yusuf Yattendon", Role.HEAD_TEACHER, "school:125289"),
    DemoUser("head@manorfield.example", "Mae Manorfield", Role.HEAD_TEACHER, "school:134732"),
    DemoUser("head@trinity-oaks.example", "Toby Trinity", Role.HEAD_TEACHER, "school:141036"),
]


# Surrey's school holidays for 2026/27, as set in the demo: plausible dates for the demo's
# patrol plans to skip, not the county's published calendar.
DEMO_HOLIDAYS = [
    ("Autumn half term", date(2026, 10, 26), date(2026, 10, 30)),
    ("Christmas holiday", date(2026, 12, 21), date(2027, 1, 1)),
    ("Spring half term", date(2027, 2, 15), date(2027, 2, 19)),
    ("Easter holiday", date(2027, 3, 29), date(2027, 4, 9)),
    ("Summer half term", date(2027, 5, 31), date(2027, 6, 4)),
    ("Summer holiday", date(2027, 7, 23), date(2027, 8, 31)),
]


def demo_holidays(area: Area) -> None:
    """Give the demo area its school holidays, unless it has some already."""
    if area.holidays.exists():
        return
    for name, starts_on, ends_on in DEMO_HOLIDAYS:
        school_holiday_add(
            actor=None,
            area=area,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            source=SOURCE,
        )


def demo_password() -> str:
    return settings.DEMO_PASSWORD


def _pupil_csv(school: School, count: int, years: range, seed: int) -> io.StringIO:
    """A school information system export of made-up pupils, the same every time."""
    rng = random.Random(seed)  # noqa: S311 - made-up names, not security
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Adno", "UPN", "Legal Forename", "Legal Surname", "DOB", "Year"])
    for number in range(1, count + 1):
        year = years[(number - 1) % len(years)]
        born_year = 2025 - year - 5  # the September 2025 intake's ages
        born = date(born_year, rng.randint(9, 12), rng.randint(1, 28))
        if rng.random() < 0.66:
            born = date(born_year + 1, rng.randint(1, 8), rng.randint(1, 28))
        writer.writerow(
            [
                f"{school.urn % 1000:03d}{number:04d}",
                "",
                rng.choice(GIVEN_NAMES),
                rng.choice(FAMILY_NAMES),
                born.strftime("%d/%m/%Y"),
                f"Year {year}" if year else "Reception",
            ]
        )
    out.seek(0)
    return out


@dataclass(frozen=True)
class DemoArea:
    area: Area
    partnership: Partnership
    secondary: School
    primaries: list[School]
    users: list[DemoUser]


@transaction.atomic
def demo_load() -> DemoArea:
    """Load (or find) the demo area and return it."""
    cluster = json.loads((DEMO_DATA / "cluster.json").read_text(encoding="utf-8"))
    area = area_create(actor=None, name=AREA_NAME, source=SOURCE)
    schools_import(actor=None, area=area, file=DEMO_DATA / "surrey_schools.csv", source=SOURCE)
    demo_holidays(area)
    agencies = {
        kind: agency_create(actor=None, area=area, name=name, kind=kind, source=SOURCE)
        for name, kind in AGENCIES
    }
    secondary = School.objects.get(urn=cluster["secondary_urn"])
    primaries = list(School.objects.filter(urn__in=cluster["primary_urns"]).order_by("name"))
    partnership = partnership_create(
        actor=None,
        area=area,
        name=cluster["partnership_name"],
        schools=[secondary, *primaries],
        started_on=date(2025, 9, 1),
        source=SOURCE,
    )
    langshott = next(s for s in primaries if s.urn == cluster["primary_urns"][0])
    scopes: dict[str, Scope] = {
        "secondary": secondary,
        "primary": langshott,
        "partnership": partnership,
        "police": agencies[Agency.Kind.POLICE_FORCE],
        "yot": agencies[Agency.Kind.YOUTH_OFFENDING_TEAM],
        "area": area,
        **{f"school:{school.urn}": school for school in [secondary, *primaries]},
    }
    for demo_user in DEMO_USERS:
        user = User.objects.filter(email=demo_user.email).first() or user_create(
            actor=None,
            email=demo_user.email,
            full_name=demo_user.full_name,
            password=demo_password(),
            source=SOURCE,
        )
        membership_grant(
            actor=None, user=user, role=demo_user.role, scope=scopes[demo_user.scope], source=SOURCE
        )

    pupils_import(
        actor=None,
        school=secondary,
        file=_pupil_csv(secondary, 60, range(7, 12), seed=secondary.urn),
        source=SOURCE,
    )
    pupils_import(
        actor=None,
        school=langshott,
        file=_pupil_csv(langshott, 28, range(0, 7), seed=langshott.urn),
        source=SOURCE,
    )
    from saferschools.reporting.demo import demo_reports

    demo_reports(secondary=secondary, primary=langshott)
    from saferschools.incidents.demo import demo_crime

    demo_crime()
    from saferschools.incidents.demo import demo_incidents

    demo_incidents(secondary=secondary)
    from saferschools.activity.demo import demo_activity

    demo_activity(secondary=secondary, primaries=[langshott])
    from saferschools.casework.demo import demo_casework

    demo_casework(partnership=partnership, secondary=secondary)
    from saferschools.planning.demo import demo_planning

    demo_planning(partnership=partnership, secondary=secondary, primaries=primaries)
    from saferschools.outcomes.demo import demo_outcomes

    demo_outcomes(partnership=partnership, secondary=secondary, primaries=primaries)
    return DemoArea(area, partnership, secondary, primaries, DEMO_USERS)
