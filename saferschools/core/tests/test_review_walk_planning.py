"""The demo partnership's life as its people use it.

Each demo person, and people of another area, open the partnership's pages of stages 1 to 3
(its page, aims, protocol and its PDF, steering group, meetings and minutes, work-plan, actions
and targets, every school's needs assessment, the requests for a partnership, the area's
prioritisation and its CSV) and the API that reads them. Each gets what the access policy gives
them: the page, or exactly the 404 of a page that does not exist. No page names a pupil; a
request names its maker only to the school's leaders, and each reading is audited; each landing
page shows its owner their part of the partnership's life; the story the demo tells holds
together; and no figure on one page undoes what another hides.

The demo is loaded once for the module, in a transaction rolled back after its tests; each
test runs in a savepoint of its own, so nothing one test does is seen by another.
"""

import csv
import io
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from saferschools.accounts.models import Role, User
from saferschools.casework.models import Pupil
from saferschools.core.models import AuditAction, AuditEvent, Partnership, School
from saferschools.core.tests.test_review_walk_demo import _client, _names_in, _not_found, _text
from saferschools.planning.models import (
    ActionStatus,
    PartnerRole,
    Protocol,
    SspRequest,
    SteeringMeeting,
    SteeringMember,
    Target,
    Workplan,
    WorkplanAction,
    WorkplanOutcome,
)
from saferschools.testing.factories import (
    AgencyFactory,
    AreaFactory,
    MembershipFactory,
    PartnershipFactory,
    PartnershipSchoolFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HEAD = "head@oakwood.example"
DSL = "dsl@oakwood.example"
TEACHER = "teacher@oakwood.example"
OFFICER = "officer@surrey-police.example"
SERGEANT = "sergeant@surrey-police.example"
PRACTITIONER = "practitioner@surrey-yos.example"
ANALYST = "analyst@surreycc.example"
STEERING = "steering@horley-ssp.example"
ADMIN = "admin@surreycc.example"
LANGSHOTT_HEAD = "head@langshott.example"
LANGSHOTT_DSL = "dsl@langshott.example"
INFANT_HEAD = "head@horley-infant.example"
# People of another area, each with a role that reaches a partnership's life there.
FAR_HEAD = "head@far.example"
FAR_STEERING = "steering@far.example"
FAR_ANALYST = "analyst@far.example"
FAR_SERGEANT = "sergeant@far.example"
OUTSIDERS = (FAR_HEAD, FAR_STEERING, FAR_ANALYST, FAR_SERGEANT)
AREA_PEOPLE = (
    HEAD,
    DSL,
    TEACHER,
    OFFICER,
    SERGEANT,
    PRACTITIONER,
    ANALYST,
    STEERING,
    ADMIN,
    LANGSHOTT_HEAD,
    LANGSHOTT_DSL,
    INFANT_HEAD,
)
EVERYONE = (*AREA_PEOPLE, *OUTSIDERS)

OAKWOOD, LANGSHOTT, INFANT = 125273, 125104, 124981
# Who keeps the partnership's governance, as the access policy says.
GOVERNORS = {HEAD, LANGSHOTT_HEAD, INFANT_HEAD, STEERING, ADMIN}
# The school leaders and officers who write each school's needs assessment.
ASSESSORS = {
    OAKWOOD: {HEAD, DSL, OFFICER},
    LANGSHOTT: {LANGSHOTT_HEAD, LANGSHOTT_DSL, OFFICER},
    INFANT: {INFANT_HEAD, OFFICER},
}
# The leaders who read each school's requests, which name who made them.
REQUEST_READERS = {
    OAKWOOD: {HEAD, DSL},
    LANGSHOTT: {LANGSHOTT_HEAD, LANGSHOTT_DSL},
    INFANT: {INFANT_HEAD},
}
RANKERS = frozenset({ANALYST, SERGEANT, ADMIN})
PDF_READERS = frozenset({TEACHER, PRACTITIONER, ANALYST, *OUTSIDERS})


@dataclass(frozen=True)
class Demo:
    partnership: Partnership
    protocol: Protocol
    september: SteeringMeeting
    november: SteeringMeeting
    member: SteeringMember
    workplan: Workplan
    overdue: WorkplanAction  # the head teacher's, past its due date
    patrols: WorkplanAction  # the officer's, under way
    outcome: WorkplanOutcome
    role: PartnerRole
    computed: Target  # read from SaferSchools' own records
    by_hand: Target
    requests: dict[int, SspRequest]  # by the URN of the school asked
    urns: list[int]

    @property
    def requesters(self) -> dict[int, list[str]]:
        """What names or reaches the person who made each school's request."""
        return {
            urn: [text for text in (request.name, request.contact) if text]
            for urn, request in self.requests.items()
        }


def _outsiders() -> None:
    """Another area with its own partnership, and a person of each kind there."""
    area = AreaFactory(name="Far")
    school = SchoolFactory(area=area, name="Far School")
    partnership = PartnershipFactory(area=area, name="Far partnership")
    PartnershipSchoolFactory(partnership=partnership, school=school)
    police = AgencyFactory(area=area, name="Far Police")
    for email, role, scope in (
        (FAR_HEAD, Role.HEAD_TEACHER, {"school": school}),
        (FAR_STEERING, Role.STEERING_MEMBER, {"partnership": partnership}),
        (FAR_ANALYST, Role.LA_ANALYST, {"area": area}),
        (FAR_SERGEANT, Role.POLICE_SUPERVISOR, {"agency": police}),
    ):
        MembershipFactory(user=UserFactory(email=email), role=role, **scope)


def _load() -> Demo:
    call_command("demo", "--quiet-sign-ins", stdout=io.StringIO())
    _outsiders()
    partnership = Partnership.objects.get(school_links__school__urn=OAKWOOD)
    meetings = list(SteeringMeeting.objects.filter(partnership=partnership).order_by("held_at"))
    workplan = Workplan.objects.get(partnership=partnership)
    actions = WorkplanAction.objects.filter(outcome__workplan=workplan)
    targets = Target.objects.filter(outcome__workplan=workplan)
    return Demo(
        partnership=partnership,
        protocol=Protocol.objects.filter(partnership=partnership).latest("version"),
        september=meetings[0],
        november=meetings[-1],
        member=SteeringMember.objects.filter(partnership=partnership).order_by("name")[0],
        workplan=workplan,
        overdue=actions.get(owner__email=HEAD),
        patrols=actions.get(owner__email=OFFICER),
        outcome=workplan.outcomes.order_by("position")[0],
        role=PartnerRole.objects.filter(outcome__workplan=workplan).order_by("partner")[0],
        computed=targets.get(indicator_id="critical_incidents"),
        by_hand=targets.get(indicator__isnull=True),
        requests={request.school.urn: request for request in SspRequest.objects.all()},
        urns=sorted(partnership.school_links.values_list("school__urn", flat=True)),
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> Iterator[Demo]:
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield _load()
        transaction.set_rollback(True)


@dataclass(frozen=True)
class Page:
    url: str
    # Who gets it: everyone of the area when None.
    people: frozenset[str] | None = None
    # Whose name, or how to reach them, the page may show: the requests of these schools.
    requests_of: tuple[int, ...] = ()
    # Who is asked for it, when not everyone: a PDF takes a while to make, so only the readers
    # furthest from the partnership, and the outsiders.
    asked: frozenset[str] | None = None


def _pages(demo: Demo) -> dict[str, Page]:
    """The pages of the partnership's life, by a name that says what each is."""
    p, workplan, governed = demo.partnership.pk, demo.workplan, frozenset(GOVERNORS)
    group = f"/partnerships/{p}/steering-group/"
    pages = {
        "partnership": Page(f"/partnerships/{p}/"),
        "aims": Page(f"/partnerships/{p}/aims/"),
        "protocol": Page(f"/partnerships/{p}/protocol/"),
        "protocol v1": Page(f"/partnerships/{p}/protocol/v1/"),
        "protocol PDF": Page(
            f"/partnerships/{p}/protocol/v{demo.protocol.version}.pdf", asked=PDF_READERS
        ),
        "steering group": Page(group),
        "september meeting": Page(f"{group}meetings/{demo.september.pk}/"),
        "november meeting": Page(f"{group}meetings/{demo.november.pk}/"),
        "november minutes PDF": Page(
            f"{group}meetings/{demo.november.pk}/minutes.pdf", asked=PDF_READERS
        ),
        "work-plan": Page(f"/partnerships/{p}/work-plan/"),
        "this year's work-plan": Page(f"/partnerships/{p}/work-plan/{workplan.year}/"),
        "next year's work-plan": Page(f"/partnerships/{p}/work-plan/{workplan.year + 1}/"),
        "overdue action": Page(f"/work-plan/actions/{demo.overdue.pk}/"),
        "patrols action": Page(f"/work-plan/actions/{demo.patrols.pk}/"),
        "computed target": Page(f"/work-plan/targets/{demo.computed.pk}/"),
        "hand-measured target": Page(f"/work-plan/targets/{demo.by_hand.pk}/"),
        "area": Page(f"/areas/{demo.partnership.area_id}/"),
        "API: partnership": Page(f"/api/v1/partnerships/{p}"),
        "API: protocol": Page(f"/api/v1/partnerships/{p}/protocol"),
        "API: work-plan": Page(f"/api/v1/partnerships/{p}/workplan"),
        # Keeping the governance.
        "aims: edit": Page(f"/partnerships/{p}/aims/edit/", governed),
        "protocol: new version": Page(f"/partnerships/{p}/protocol/edit/", governed),
        "steering group: add a member": Page(f"{group}members/new/", governed),
        "steering group: change a member": Page(f"{group}members/{demo.member.pk}/edit/", governed),
        "steering group: a member leaves": Page(
            f"{group}members/{demo.member.pk}/leave/", governed
        ),
        "steering group: record a meeting": Page(f"{group}meetings/new/", governed),
        "november meeting: edit": Page(f"{group}meetings/{demo.november.pk}/edit/", governed),
        "next year's work-plan: start": Page(
            f"/partnerships/{p}/work-plan/{workplan.year + 1}/start/", governed
        ),
        "work-plan: add an outcome": Page(f"/work-plan/{workplan.pk}/outcomes/new/", governed),
        "outcome: edit": Page(f"/work-plan/outcomes/{demo.outcome.pk}/edit/", governed),
        "outcome: add a role": Page(f"/work-plan/outcomes/{demo.outcome.pk}/roles/new/", governed),
        "outcome: add an action": Page(
            f"/work-plan/outcomes/{demo.outcome.pk}/actions/new/", governed
        ),
        "outcome: add a target": Page(
            f"/work-plan/outcomes/{demo.outcome.pk}/targets/new/", governed
        ),
        "role: edit": Page(f"/work-plan/roles/{demo.role.pk}/edit/", governed),
        "patrols action: edit": Page(f"/work-plan/actions/{demo.patrols.pk}/edit/", governed),
        "computed target: edit": Page(f"/work-plan/targets/{demo.computed.pk}/edit/", governed),
        # Ranking the area's schools.
        "prioritisation": Page(f"/areas/{demo.partnership.area_id}/prioritisation/", RANKERS),
        "prioritisation CSV": Page(
            f"/areas/{demo.partnership.area_id}/prioritisation.csv", RANKERS
        ),
        "API: prioritisation": Page(
            f"/api/v1/areas/{demo.partnership.area_id}/prioritisation", RANKERS
        ),
    }
    for urn in demo.urns:
        pages[f"needs of {urn}"] = Page(f"/schools/{urn}/needs/")
    for urn, assessors in ASSESSORS.items():
        pages[f"needs of {urn}: edit"] = Page(f"/schools/{urn}/needs/edit/", frozenset(assessors))
    for urn, readers in REQUEST_READERS.items():
        leaders = frozenset(readers)
        pages[f"requests to {urn}"] = Page(f"/schools/{urn}/ssp-requests/", leaders, (urn,))
        pages[f"requests to {urn}: record"] = Page(f"/schools/{urn}/ssp-requests/record/", leaders)
    for urn, request in demo.requests.items():
        pages[f"request to {urn}"] = Page(
            f"/ssp-requests/{request.pk}/", frozenset(REQUEST_READERS[urn]), (urn,)
        )
    return pages


def _expected(email: str, page: Page) -> int:
    if email in OUTSIDERS:
        return 404
    return 200 if page.people is None or email in page.people else 404


def _missing(client: Client) -> str:
    """The 404 of a partnership that does not exist, as this person gets it."""
    return _not_found(_text(client.get(f"/partnerships/{uuid.uuid4()}/")))


def test_each_person_gets_the_planning_pages_the_policy_gives_them(demo):
    pages = _pages(demo)
    pupils = list(Pupil.objects.all())
    problems: list[str] = []

    for email in EVERYONE:
        client = _client(email)
        missing = _missing(client)
        for name, page in pages.items():
            if page.asked is not None and email not in page.asked:
                continue
            response = client.get(page.url)
            expected = _expected(email, page)
            if response.status_code != expected:
                problems.append(
                    f"{email} {name} {page.url}: {response.status_code}, not {expected}"
                )
                continue
            if expected == 404:
                if not page.url.startswith("/api/") and _not_found(_text(response)) != missing:
                    problems.append(f"{email} {name}: a 404 unlike that of a missing partnership")
                continue
            if page.url.endswith(".pdf"):
                assert response.content.startswith(b"%PDF-"), page.url
            if page.url.endswith(".csv"):
                assert response["Content-Type"].startswith("text/csv"), page.url
            text = _text(response)
            if names := _names_in(text, pupils):
                problems.append(f"{email} {name}: names pupils {sorted(names)}")
            for urn, said in demo.requesters.items():
                if urn not in page.requests_of:
                    problems += [f"{email} {name}: shows {s!r}" for s in said if s in text]

    assert not problems, "\n".join(problems)


def test_a_request_names_its_maker_to_the_schools_leaders_and_each_reading_is_audited(demo):
    for urn, request in demo.requests.items():
        for email in REQUEST_READERS[urn]:
            reader = User.objects.get(email=email)
            for url in (f"/schools/{urn}/ssp-requests/", f"/ssp-requests/{request.pk}/"):
                since = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[0]

                text = _client(email).get(url).content.decode()

                assert request.name in text, (email, url)
                assert AuditEvent.objects.filter(
                    seq__gt=since,
                    actor_id=reader.pk,
                    action=AuditAction.VIEW,
                    object_type="planning.ssprequest",
                    object_id=str(request.pk),
                ).exists(), (email, url)


def _landing(email: str) -> str:
    response = _client(email).get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_each_landing_page_shows_its_owner_their_part_of_the_partnerships_life(demo):
    head = _landing(HEAD)
    overdue = head[head.index(f'href="/work-plan/actions/{demo.overdue.pk}/"') :]
    assert "Overdue" in overdue[: overdue.index("</tr>")]
    officer = _landing(OFFICER)
    assert f'href="/work-plan/actions/{demo.patrols.pk}/"' in officer
    assert "Write to parents of all six schools" in officer  # the steering group's action
    assert "Ask the county&#x27;s highways team" in _landing(STEERING)
    infant = _landing(INFANT_HEAD)
    assert "1 awaiting a response" in infant
    assert demo.requests[INFANT].name not in infant
    for email in (TEACHER, SERGEANT, PRACTITIONER, ANALYST, ADMIN, LANGSHOTT_HEAD):
        assert "/work-plan/actions/" not in _landing(email), email
    for email in (SERGEANT, ANALYST, ADMIN):
        assert f"/areas/{demo.partnership.area_id}/prioritisation/" in _landing(email), email


def test_the_owner_of_an_action_updates_it_and_no_one_else_but_the_governors(demo):
    url = f"/work-plan/actions/{demo.patrols.pk}/"
    form = {"status": ActionStatus.DONE, "note": "Patrols handed to the new officer."}

    for email in (TEACHER, DSL, SERGEANT, PRACTITIONER, ANALYST, *OUTSIDERS):
        assert _client(email).post(url, form).status_code == 404, email
        demo.patrols.refresh_from_db()
        assert demo.patrols.status == ActionStatus.IN_PROGRESS, email

    assert _client(OFFICER).post(url, form).status_code == 302
    demo.patrols.refresh_from_db()
    assert demo.patrols.status == ActionStatus.DONE


def test_the_story_the_demo_tells_holds_together(demo):
    partnership, protocol, today = demo.partnership, demo.protocol, timezone.localdate()
    started = partnership.started_on
    assert partnership.stage == 3 and started is not None
    # Stage 1: every school's needs assessed before the partnership started, and the parent's
    # request answered by the head teacher before it started too.
    for school in School.objects.filter(partnership_link__partnership=partnership):
        assert school.needs_assessment.completed_on < started, school.name
    asked = demo.requests[OAKWOOD]
    assert asked.status == SspRequest.Status.ANSWERED
    assert asked.answered_by is not None and asked.answered_by.email == HEAD
    assert asked.received_on <= timezone.localdate(asked.answered_at) < started
    # Stage 2: the protocol in force, signed for every school by its head teacher and for each
    # agency by one of its own people, after its version was written; version 1 before the
    # start.
    signers = {}
    for version in Protocol.objects.filter(partnership=partnership):
        for partner in version.partners.select_related("signed_by", "school", "agency"):
            assert partner.signed_at is not None, (version.version, partner.name)
            assert partner.signed_by is not None, (version.version, partner.name)
            assert partner.signed_at >= version.created_at, (version.version, partner.name)
            if version.version == 1:
                assert timezone.localdate(partner.signed_at) < started, partner.name
            if version == protocol:
                signers[partner.name] = partner.signed_by.email
    assert signers.pop("Surrey Police") == SERGEANT
    assert signers.pop("Surrey Youth Offending Service") == PRACTITIONER
    heads = {
        school.name: school.memberships.get(role=Role.HEAD_TEACHER).user.email
        for school in School.objects.filter(partnership_link__partnership=partnership)
    }
    assert signers == heads
    page = _client(TEACHER).get(f"/partnerships/{partnership.pk}/protocol/").content.decode()
    assert "In force" in page and "Sgt Sue Pervisor" in page
    # Stage 3: this year's work-plan agreed after the September meeting, with an overdue action
    # that its owner, the head teacher, has not done.
    assert demo.workplan.status == Workplan.Status.AGREED
    assert timezone.localdate(demo.september.held_at) <= demo.workplan.agreed_on <= today
    assert demo.overdue.due_on < today
    assert demo.overdue.status == ActionStatus.NOT_STARTED
    action = _client(HEAD).get(f"/work-plan/actions/{demo.overdue.pk}/").content.decode()
    assert "Overdue" in action
    assert demo.november.held_at < timezone.now()
    partnership_page = _client(STEERING).get(f"/partnerships/{partnership.pk}/").content.decode()
    assert "Stage 3: implement the work-plan" in partnership_page
    assert started.strftime("%-d %B %Y") in partnership_page


def test_signed_out_people_can_ask_each_school_and_reach_nothing_else(demo):
    client = Client(raise_request_exception=False)

    for urn in demo.urns:
        asking = client.get(f"/schools/{urn}/ask-for-a-partnership/")
        assert asking.status_code == 200, urn
        text = asking.content.decode()
        assert School.objects.get(urn=urn).name in text
        for said in demo.requesters.values():
            assert not any(s in text for s in said), urn
    for name, page in _pages(demo).items():
        response = client.get(page.url)
        if page.url.startswith("/api/"):
            assert response.status_code == 401, name
        else:
            assert response.status_code == 302, name
            assert response["Location"].startswith("/account/sign-in/"), name


def _total_cells(page: str) -> tuple[str, str] | None:
    """The pupils' reports and the incidents in all categories, as a needs assessment shows
    them: a number, or the words in its place; None when the school has had none."""
    row = re.search(r"All categories</th>(.*?)</tr>", page, re.S)
    if row is None:
        assert "No reports from pupils or incidents were recorded" in page
        return None
    cells = re.findall(r"<td[^>]*>(?:<strong>)?(.*?)(?:</strong>)?</td>", row.group(1), re.S)
    reports, incidents = (cell.strip().replace(",", "") for cell in cells)
    return reports, incidents


def test_no_figure_on_the_prioritisation_undoes_the_needs_assessments_hiding(demo):
    """Whoever ranks the schools sees, for each, its reports and incidents together per 100
    pupils; beside a needs assessment showing one of the two totals, that figure must not give
    away the other one the assessment hides."""
    client = _client(ANALYST)
    response = client.get(f"/areas/{demo.partnership.area_id}/prioritisation.csv")
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    figures = {int(row["URN"]): row["Reports and incidents"] for row in rows}
    problems = []

    for school in School.objects.filter(urn__in=demo.urns):
        totals = _total_cells(client.get(f"/schools/{school.urn}/needs/").content.decode())
        if totals is None:
            continue
        reports, incidents = totals
        shown = [cell for cell in (reports, incidents) if cell.isdigit()]
        figure = figures[school.urn]
        if len(shown) != 1 or not re.fullmatch(r"[\d.]+", figure or ""):
            continue
        together = Decimal(figure) * (school.number_of_pupils or 0) / 100
        problems.append(
            f"{school.name}: reports {reports}, incidents {incidents}, and about "
            f"{together:.0f} together on the prioritisation"
        )

    assert not problems, "\n".join(problems)


def test_the_work_plan_hides_small_counts_from_those_who_see_no_schools_counts(demo):
    url = f"/work-plan/targets/{demo.computed.pk}/"
    september = date(demo.workplan.year, 9, 1).strftime("%B %Y")

    def september_figure(email: str) -> str:
        page = _client(email).get(url).content.decode()
        cell = re.search(rf"{september}</th>\s*<td[^>]*>(.*?)</td>", page, re.S)
        assert cell, email
        return re.sub(r"<[^>]+>", "", cell.group(1)).strip()

    # The officer is deployed to every school of the partnership: he sees the count in full.
    assert september_figure(OFFICER).isdigit()
    # These see no school's counts in full.
    for email in (TEACHER, SERGEANT, ANALYST, STEERING, ADMIN, PRACTITIONER):
        assert september_figure(email) == "not shown", email
