"""The demo area as its people use it.

Each demo person opens every casework page of the demo's pupils, their PDFs and downloads, and
the pages their landing page leads to. Each gets what the access policy gives them: the page,
or exactly the 404 of a page that does not exist. No page names a pupil to a person who must
not see them, the practitioner reads nothing the share does not open, every page they read
through the share is audited with it, and each landing page shows what its owner has to do.

The demo is loaded once for the module, in a transaction rolled back after its tests; each
test runs in a savepoint of its own, so nothing one test does is seen by another.
"""

import html
import io
import re
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.formats import date_format

from saferschools.accounts.models import User
from saferschools.casework.models import (
    Meeting,
    MeetingPupil,
    Plan,
    Pupil,
    Referral,
    RiskAssessment,
    RiskAssessmentFactor,
)
from saferschools.core.models import AuditEvent, Partnership, School
from saferschools.lib.schooldays import LONDON
from saferschools.sharing.models import (
    Decision,
    InformationSharingAgreement,
    PoliceNotification,
    SharingDecision,
)

pytestmark = pytest.mark.django_db

DSL = "dsl@oakwood.example"
HEAD = "head@oakwood.example"
TEACHER = "teacher@oakwood.example"
OTHER_DSL = "dsl@langshott.example"
OFFICER = "officer@surrey-police.example"
SERGEANT = "sergeant@surrey-police.example"
PRACTITIONER = "practitioner@surrey-yos.example"
ANALYST = "analyst@surreycc.example"
STEERING = "steering@horley-ssp.example"
ADMIN = "admin@surreycc.example"
# No role of theirs reaches a pupil, and no sharing decision grants them one.
NAMELESS = (SERGEANT, ANALYST, STEERING, ADMIN)
EVERYONE = (DSL, HEAD, TEACHER, OTHER_DSL, OFFICER, PRACTITIONER, *NAMELESS)


@dataclass(frozen=True)
class Demo:
    school: School
    partnership: Partnership
    shared: Pupil  # shared with the youth offending service's practitioner, live
    refused: Pupil  # a decision not to share
    expired: Pupil  # shared with education welfare, expired
    notified: Pupil  # a notification from the police not yet read
    grant: SharingDecision
    pupils: list[Pupil]

    def label(self, pupil: Pupil) -> str:
        return {
            self.shared.pk: "shared",
            self.refused.pk: "refused",
            self.expired.pk: "expired",
            self.notified.pk: "notified",
        }[pupil.pk]


def _load() -> Demo:
    call_command("demo", "--quiet-sign-ins", stdout=io.StringIO())
    today = timezone.localdate()
    grant = SharingDecision.objects.select_related("pupil__school").get(
        decision=Decision.SHARE, expires_on__gt=today, revoked_at__isnull=True
    )
    return Demo(
        school=grant.pupil.school,
        partnership=Partnership.objects.get(),
        shared=grant.pupil,
        refused=SharingDecision.objects.get(decision=Decision.NOT_SHARE).pupil,
        expired=SharingDecision.objects.get(decision=Decision.SHARE, expires_on__lte=today).pupil,
        notified=PoliceNotification.objects.get(acknowledged_at__isnull=True).pupil,
        grant=grant,
        pupils=list(Pupil.objects.all()),
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


def _client(email: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(email=email))
    return client


def _name(pupil: Pupil) -> str:
    return f"{pupil.given_name} {pupil.family_name}"


# A name as the pages write it, "Given Family" or "Family, Given": two words, found at the start
# of every word (a lookahead, so that no word is skipped by the pair before it).
GIVEN_FAMILY = re.compile(r"\b(?=([\w'-]+)\s+([\w'-]+)\b)")
FAMILY_GIVEN = re.compile(r"\b(?=([\w'-]+),\s+([\w'-]+)\b)")


def _names_in(text: str, pupils: Iterable[Pupil]) -> set[str]:
    """The names of ``pupils`` that ``text`` holds, read as it is and as a browser shows it
    (markup between the two names does not hide them)."""
    wanted = {(p.given_name, p.family_name) for p in pupils}
    text += "\n" + html.unescape(re.sub(r"<[^>]+>", " ", text))
    found = {pair for pair in GIVEN_FAMILY.findall(text) if pair in wanted}
    found |= {(given, family) for family, given in FAMILY_GIVEN.findall(text)} & wanted
    return {f"{given} {family}" for given, family in found}


def _text(response) -> str:
    """What a person reads in the response: the page, the CSV, or the PDF's text."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return content.decode("utf-8", "replace")


def _not_found(text: str) -> str:
    """The title and main content of a 404 page: what tells one 404 from another (the
    navigation marks the section of the address asked for, whatever the answer)."""
    title = re.search(r"<title>.*?</title>", text, re.S)
    main = re.search(r"<main\b.*?</main>", text, re.S)
    assert title and main, text[:200]
    return title.group(0) + main.group(0)


def _casework_pages(demo: Demo) -> dict[str, str]:
    """Every casework page of the demo, by a name that says what it is."""
    pages: dict[str, str] = {}
    for pupil in (demo.shared, demo.refused, demo.expired, demo.notified):
        label, base = demo.label(pupil), f"/pupils/{pupil.pk}/"
        pages |= {
            f"{label}: pupil page": base,
            f"{label}: chronology": f"{base}chronology/",
            f"{label}: chronology PDF": f"{base}chronology.pdf",
            f"{label}: chronology CSV": f"{base}chronology.csv",
            f"{label}: assess": f"{base}assessments/new/",
            f"{label}: decide": f"{base}sharing-decisions/new/",
            f"{label}: refer": f"{base}referrals/new/",
            f"{label}: send record": f"{base}transfers/new/",
        }
    for assessment in RiskAssessment.objects.select_related("pupil").order_by("assessed_at"):
        label = demo.label(assessment.pupil)
        pages[f"assessment of {label} on {assessment.assessed_at:%Y-%m-%d}"] = (
            f"/assessments/{assessment.pk}/"
        )
    plan = Plan.objects.get()
    pages |= {
        "plan": f"/plans/{plan.pk}/",
        "plan: edit": f"/plans/{plan.pk}/edit/",
        "plan: add action": f"/plans/{plan.pk}/actions/new/",
        "plan: review": f"/plans/{plan.pk}/reviews/new/",
        "plan: close": f"/plans/{plan.pk}/close/",
    }
    for referral in Referral.objects.select_related("pupil"):
        label = demo.label(referral.pupil)
        pages[f"referral of {label}"] = f"/referrals/{referral.pk}/"
        pages[f"referral of {label}: answer"] = f"/referrals/{referral.pk}/status/"
    meeting = Meeting.objects.get()
    pages |= {
        "meeting": f"/meetings/{meeting.pk}/",
        "meeting: minutes PDF": f"/meetings/{meeting.pk}/minutes.pdf",
        "meeting: edit": f"/meetings/{meeting.pk}/edit/",
    }
    for decision in SharingDecision.objects.select_related("pupil"):
        pages[f"decision about {demo.label(decision.pupil)}"] = f"/sharing-decisions/{decision.pk}/"
    pages["decision about shared: revoke"] = f"/sharing-decisions/{demo.grant.pk}/revoke/"
    for notification in PoliceNotification.objects.select_related("pupil"):
        pages[f"police notification about {demo.label(notification.pupil)}"] = (
            f"/police-notifications/{notification.pk}/"
        )
    urn, partnership = demo.school.urn, demo.partnership.pk
    agreement = InformationSharingAgreement.objects.get()
    return pages | {
        "pupil register": f"/schools/{urn}/pupils/",
        "find the shared pupil": f"/pupils/?q={demo.shared.family_name}",
        "meetings": f"/schools/{urn}/meetings/",
        "record a meeting": f"/schools/{urn}/meetings/new/",
        "police notifications": f"/schools/{urn}/police-notifications/",
        "notify the school": f"/schools/{urn}/police-notifications/new/",
        "school disclosure log": f"/schools/{urn}/disclosure-log/",
        "school disclosure log CSV": f"/schools/{urn}/disclosure-log/download/",
        "partnership disclosure log": f"/partnerships/{partnership}/disclosure-log/",
        "partnership disclosure log CSV": f"/partnerships/{partnership}/disclosure-log/download/",
        "shared with me": "/shared-with-me/",
        "sharing agreement": f"/sharing-agreements/{agreement.pk}/",
        "sharing agreement PDF": f"/sharing-agreements/{agreement.pk}/pdf/",
    }


# The pages the youth offending service's practitioner reads through the live share: the
# pupil's page (found by name too) and chronology (not its CSV, the school's export for a
# lawful request), the assessments and plan the decision names, the referral made to the
# service and its answer, the meeting they attended, the decision itself and the list of what
# is shared with them.
PRACTITIONER_PAGES = {
    "shared: pupil page",
    "find the shared pupil",
    "shared: chronology",
    "shared: chronology PDF",
    "plan",
    "referral of shared",
    "referral of shared: answer",
    "meeting",
    "meeting: minutes PDF",
    "decision about shared",
    "shared with me",
}
# The officer deployed to the school keeps its casework, but sending a pupil's record to
# another school and the disclosure log are the school leaders'.
NOT_THE_OFFICERS = {
    "school disclosure log",
    "school disclosure log CSV",
    "partnership disclosure log",
    "partnership disclosure log CSV",
    "shared with me",
}
# Other staff see the school's pupil register and a pupil's page, but no casework.
THE_REGISTER = {
    "pupil register",
    "find the shared pupil",
    "shared: pupil page",
    "refused: pupil page",
    "expired: pupil page",
    "notified: pupil page",
}


def _expected(email: str, page: str) -> int:
    if page.startswith("sharing agreement"):
        return 200  # it holds no personal data: everyone in the partnership and its agencies
    if email in (DSL, HEAD):
        return 404 if page in {"notify the school", "shared with me"} else 200
    if email == OFFICER:
        return 404 if page.endswith(": send record") or page in NOT_THE_OFFICERS else 200
    if email == PRACTITIONER:
        shared_assessment = page.startswith("assessment of shared ")
        return 200 if page in PRACTITIONER_PAGES or shared_assessment else 404
    if email == TEACHER:
        return 200 if page in THE_REGISTER else 404
    if email == OTHER_DSL:
        # Their own pupils found by name; the partnership's log, with only what their own
        # school shared in it.
        partnership_log = page.startswith("partnership disclosure log")
        return 200 if partnership_log or page == "find the shared pupil" else 404
    # The police supervisor, the analyst, the steering member, the administrator.
    return 404


def _casework_texts() -> list[str]:
    """What the demo's case workers wrote about pupils."""
    texts = [
        *RiskAssessment.objects.values_list("notes", flat=True),
        *RiskAssessmentFactor.objects.values_list("evidence", flat=True),
        *Plan.objects.values_list("concerns", flat=True),
        *Referral.objects.values_list("reason", flat=True),
        *MeetingPupil.objects.values_list("note", flat=True),
        *SharingDecision.objects.values_list("purpose", flat=True),
        *SharingDecision.objects.values_list("reason", flat=True),
        *PoliceNotification.objects.values_list("summary", flat=True),
        *PoliceNotification.objects.values_list("support_given", flat=True),
    ]
    return [text for text in texts if text]


def _kept_from_practitioner(demo: Demo) -> list[str]:
    """What the school wrote that the share does not open to the practitioner: the other
    pupils' meeting notes and referral reasons, and the notifications from the police (the
    decision does not name them) with the support the school gave."""
    texts = [
        *MeetingPupil.objects.exclude(pupil=demo.shared).values_list("note", flat=True),
        *Referral.objects.exclude(pupil=demo.shared).values_list("reason", flat=True),
        *PoliceNotification.objects.values_list("summary", flat=True),
        *PoliceNotification.objects.values_list("support_given", flat=True),
    ]
    return [text for text in texts if text]


def _forbidden_texts(demo: Demo, email: str) -> list[str]:
    """What the case workers wrote that this person must never read."""
    if email in (DSL, HEAD, OFFICER):
        return []
    if email == PRACTITIONER:
        return _kept_from_practitioner(demo)
    return _casework_texts()


def _last_event() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _grant_used_since(seq: int, user: User, grant: SharingDecision) -> bool:
    """Whether an event after ``seq`` records the user reading through the grant: one naming
    it, or a listing naming it among others."""
    details = AuditEvent.objects.filter(seq__gt=seq, actor_id=user.pk).values_list(
        "detail", flat=True
    )
    return any(d.get("grant") == str(grant.pk) for d in details)


def _forbidden_names(demo: Demo, email: str) -> set[str]:
    """The names this person must never read, whatever page they open."""
    everyone = {_name(p) for p in demo.pupils}
    if email in NAMELESS:
        return everyone
    if email == PRACTITIONER:
        return everyone - {_name(demo.shared)}
    if email == OTHER_DSL:
        # Names only the demo school's pupils bear.
        return {_name(p) for p in demo.pupils if p.school_id == demo.school.pk} - {
            _name(p) for p in demo.pupils if p.school_id != demo.school.pk
        }
    return set()


def test_each_person_gets_the_casework_pages_the_policy_gives_them(demo):
    pages = _casework_pages(demo)
    practitioner = User.objects.get(email=PRACTITIONER)
    problems: list[str] = []

    for email in (DSL, TEACHER, OTHER_DSL, OFFICER, PRACTITIONER, *NAMELESS):
        client = _client(email)
        missing = _not_found(_text(client.get(f"/pupils/{uuid.uuid4()}/")))
        forbidden = _forbidden_names(demo, email)
        kept = _forbidden_texts(demo, email)
        for page, url in pages.items():
            seq = _last_event()
            response = client.get(url)
            expected = _expected(email, page)
            if response.status_code != expected:
                problems.append(f"{email} {page} {url}: {response.status_code}, not {expected}")
                continue
            if expected == 404:
                if _not_found(_text(response)) != missing:
                    problems.append(f"{email} {page}: a 404 unlike that of a missing pupil")
                continue
            if url.endswith((".pdf", "/pdf/")):
                assert response.content.startswith(b"%PDF-"), url
            if page.endswith(" CSV"):
                assert response["Content-Type"].startswith("text/csv"), url
            if not (forbidden or kept):
                continue  # the school's own case workers: their PDFs need not be read
            text = _text(response)
            if seen := _names_in(text, demo.pupils) & forbidden:
                problems.append(f"{email} {page}: names {sorted(seen)}")
            problems += [f"{email} {page}: shows {t[:40]!r}" for t in kept if t in text]
            about_the_pupil = not page.startswith("sharing agreement")
            if (
                email == PRACTITIONER
                and about_the_pupil
                and not _grant_used_since(seq, practitioner, demo.grant)
            ):
                problems.append(f"{email} {page}: read through the share, not audited so")

    assert not problems, "\n".join(problems)


def test_the_head_teacher_holds_what_the_safeguarding_lead_holds(demo):
    pages = _casework_pages(demo)
    client = _client(HEAD)

    got = {page: client.get(url).status_code for page, url in pages.items()}

    assert got == {page: _expected(HEAD, page) for page in pages}


def _served(path: str) -> str | None:
    """The URL name of a path the product serves, else ``None``."""
    try:
        return resolve(urlsplit(path).path).url_name
    except Resolver404:
        return None


def _links(text: str, base: str) -> list[str]:
    """The product's own addresses a page links to, without fragments."""
    links = []
    for href in re.findall(r'<a [^>]*href="([^"#][^"]*)"', text):
        parts = urlsplit(urljoin(base, href.replace("&amp;", "&")))
        if parts.scheme and parts.netloc != "testserver":
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not path.startswith(("/static/", "/operator/")):
            links.append(path)
    return links


def _walk_from_landing(client: Client) -> dict[str, tuple[int, str, str]]:
    """The landing page, every page it links to, and every casework or sharing page those
    link to: one of each kind (URL name and query). Gives each address's status, text and
    the page that linked to it."""
    seen: dict[str, tuple[int, str, str]] = {}
    kinds: set[tuple[str | None, str]] = set()
    queue = deque([("/", "", 0)])
    while queue:
        path, linked_from, depth = queue.popleft()
        kind = (_served(path), "&".join(sorted(re.findall(r"(\w+)=", urlsplit(path).query))))
        if path in seen or kind in kinds:
            continue
        kinds.add(kind)
        response = client.get(path)
        text = _text(response)
        seen[path] = (response.status_code, text, linked_from)
        if response.status_code != 200 or depth == 2:
            continue
        for link in _links(text, path):
            name = _served(link) or ""
            if depth == 0 or name.startswith(("casework-", "sharing-")):
                queue.append((link, path, depth + 1))
    return seen


def test_every_link_from_each_landing_page_works_and_names_no_pupil_it_must_not(demo):
    problems: list[str] = []
    names_seen: dict[str, set[str]] = {}

    for email in EVERYONE:
        forbidden = _forbidden_names(demo, email)
        names_seen[email] = set()
        for path, (status, text, linked_from) in _walk_from_landing(_client(email)).items():
            if status != 200:
                problems.append(f"{email}: {path}, linked from {linked_from!r}, gives {status}")
            names = _names_in(text, demo.pupils)
            names_seen[email] |= names
            if names & forbidden:
                problems.append(f"{email}: {path} names {sorted(names & forbidden)}")

    assert not problems, "\n".join(problems)
    # The walk reaches the records each person keeps or is given.
    assert _name(demo.shared) in names_seen[PRACTITIONER]
    assert _name(demo.shared) in names_seen[DSL]


def _landing(email: str) -> str:
    response = _client(email).get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_landing_pages_show_what_each_person_has_to_do(demo):
    unread = PoliceNotification.objects.get(acknowledged_at__isnull=True)

    for email in (DSL, HEAD):
        page = _landing(email)
        # The notification waiting to be read, with its due time, but not whom it is about.
        assert f"/police-notifications/{unread.pk}/" in page
        assert date_format(timezone.localtime(unread.due_by), "j M Y H:i") in page
        assert _name(demo.notified) not in page
    dsl = _landing(DSL)
    assert "Daily check-in with the head of year" in dsl  # their overdue plan action
    assert "Arrange a mentor" in dsl  # their meeting action due this week
    officer = _landing(OFFICER)
    assert "Patrol the recreation ground after school" in officer
    assert "/police-notifications/new/" in officer
    assert 'href="/shared-with-me/"' in _landing(PRACTITIONER)
    for email in (TEACHER, *NAMELESS):
        page = _landing(email)
        assert "/police-notifications/" not in page, email
        assert "/plans/" not in page, email
        assert 'href="/meetings/' not in page, (
            email
        )  # casework meetings; the steering group's differ


def test_the_demo_share_ends_as_its_expiry_date_begins_and_when_revoked(demo):
    pupil_page = f"/pupils/{demo.shared.pk}/"
    ends = datetime.combine(demo.grant.expires_on, time(0, 0), tzinfo=LONDON)

    with time_machine.travel(ends - timedelta(minutes=1), tick=False):
        assert _client(PRACTITIONER).get(pupil_page).status_code == 200
    with time_machine.travel(ends, tick=False):
        practitioner = _client(PRACTITIONER)
        assert practitioner.get(pupil_page).status_code == 404
        assert _name(demo.shared) not in practitioner.get("/shared-with-me/").content.decode()

    response = _client(DSL).post(
        f"/sharing-decisions/{demo.grant.pk}/revoke/", {"reason": "The programme has ended."}
    )

    assert response.status_code == 302
    practitioner = _client(PRACTITIONER)
    assert practitioner.get(pupil_page).status_code == 404
    assert practitioner.get(f"/pupils/{demo.shared.pk}/chronology.pdf").status_code == 404
