"""Pupils' reports for the demo area: a term's worth of reports in every state.

Each report is made, answered and closed through the real services, as pupils and staff would;
then its dates are moved back to spread the reports over the last weeks (the audit log keeps the
true times at which the demo was loaded). One urgent report is left new, so that the demo shows
an escalation fifteen minutes after loading.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from saferschools.accounts.models import User
from saferschools.core.models import School

from . import services, triage
from .models import EntryKind, Report, ReportEntry

SOURCE = "command:demo"


@dataclass(frozen=True)
class Step:
    """One thing done to a report: by the school (``who`` a demo user's e-mail) or the pupil."""

    kind: str  # acknowledge, reply, note, pupil, assign, close, link
    who: str = ""
    text: str = ""


@dataclass(frozen=True)
class DemoReport:
    school: str  # "secondary" or "primary"
    days_ago: float
    fields: dict
    steps: list[Step] = field(default_factory=list)


DSL = "dsl@oakwood.example"
OFFICER = "officer@surrey-police.example"
HEAD = "head@oakwood.example"
TEACHER = "teacher@oakwood.example"
PRIMARY_DSL = "dsl@langshott.example"

REPORTS = [
    DemoReport(
        "secondary",
        33,
        {
            "category": "bullying",
            "description": "Two girls in my form keep taking my things and laughing at me in "
            "the dinner hall. It has happened every day this week.",
            "location": "on_site",
            "occurred": "Every lunchtime this week",
            "about": "self",
        },
        [
            Step("acknowledge", DSL),
            Step(
                "reply",
                DSL,
                "Thank you for telling us. You did the right thing. Could you come to the "
                "pastoral office at break tomorrow? You can bring a friend.",
            ),
            Step("pupil", text="ok i will come with my friend"),
            Step("note", DSL, "Met at break. Form tutor and head of year informed."),
            Step(
                "reply",
                DSL,
                "Thanks for coming in. We have spoken to the girls and will check in with you "
                "next week. Tell us straight away if it happens again.",
            ),
            Step("close", DSL, "resolved_in_school"),
        ],
    ),
    DemoReport(
        "secondary",
        26,
        {
            "category": "unsafe_journey",
            "description": "Some older boys wait in the alley by the station after school and "
            "ask year 7s for money. I walk the long way round now.",
            "location": "journey",
            "occurred": "After school, most days",
            "about": "someone_else",
        },
        [
            Step("acknowledge", OFFICER),
            Step(
                "note",
                OFFICER,
                "Added the station alley to the after-school patrol for the next two weeks.",
            ),
            Step(
                "reply",
                OFFICER,
                "Thanks for letting us know. Officers will be around the station after school. "
                "Keep walking the safe way for now.",
            ),
            Step("close", OFFICER, "police_action"),
        ],
    ),
    DemoReport(
        "secondary",
        20,
        {
            "category": "online_bullying",
            "description": "There is a group chat where people post edited pictures of a boy "
            "in year 8 and say horrible things 😢",
            "location": "online",
            "occurred": "Since half term",
            "about": "someone_else",
        },
        [
            Step("acknowledge", DSL),
            Step(
                "reply",
                DSL,
                "Thank you. Please don't share the pictures any further. Do you know the name "
                "of the group chat? You can tell us here.",
            ),
            Step("pupil", text="its called y8 banter"),
            Step(
                "note", DSL, "Spoke to the head of year 8; parents of the group's admin invited in."
            ),
        ],
    ),
    DemoReport(
        "secondary",
        14,
        {
            "category": "weapons",
            "description": "A boy in year 10 showed people a knife in the changing rooms before "
            "PE. He said it was for protection.",
            "location": "on_site",
            "occurred": "Today before period 3",
            "about": "someone_else",
        },
        [
            Step("acknowledge", OFFICER),
            Step("note", OFFICER, "Searched with the head teacher present; knife recovered."),
            Step(
                "reply",
                OFFICER,
                "Thank you, this was really important to tell us. It has been dealt with and "
                "everyone is safe.",
            ),
            Step("close", OFFICER, "police_action"),
        ],
    ),
    DemoReport(
        "secondary",
        10,
        {
            "category": "drugs_alcohol",
            "description": "People are selling vapes in the boys toilets by the science block.",
            "location": "on_site",
            "occurred": "Break times",
            "about": "someone_else",
        },
        [Step("acknowledge", DSL), Step("assign", DSL, TEACHER)],
    ),
    DemoReport(
        "secondary",
        8,
        {
            "category": "self_harm",
            "description": "My friend showed me cuts on her arm and said not to tell anyone. "
            "I am worried about her.",
            "location": "elsewhere",
            "occurred": "Yesterday",
            "about": "someone_else",
        },
        [
            Step("acknowledge", DSL),
            Step(
                "reply",
                DSL,
                "You are a good friend for telling us. We will make sure she gets support, "
                "and we won't say who told us.",
            ),
            Step("note", DSL, "Parents contacted; referral to the school nurse and CAMHS."),
            Step("close", DSL, "referred"),
        ],
    ),
    DemoReport(
        "secondary",
        6,
        {
            "category": "hate",
            "description": "Some people on the 420 bus keep making racist comments to me and "
            "my brother on the way home.",
            "location": "journey",
            "occurred": "Monday and Wednesday after school",
            "about": "self",
            "anonymous": False,
            "name": "Amara",
            "year_group": 8,
        },
        [
            Step("acknowledge", DSL),
            Step("link", DSL),
            Step(
                "reply",
                DSL,
                "Thank you for telling us, Amara. This is not OK. Mrs Lead would like to meet "
                "you and your brother tomorrow morning.",
            ),
        ],
    ),
    DemoReport(
        "secondary",
        5,
        {
            "category": "other",
            "description": "The gate by the field is broken and people from outside come in at "
            "lunch.",
            "location": "on_site",
            "occurred": "This week",
            "about": "someone_else",
        },
    ),
    DemoReport(
        "secondary",
        1,
        {
            "category": "theft_damage",
            "description": "My phone was taken from my bag in the PE changing room.",
            "location": "on_site",
            "occurred": "Yesterday, period 4",
            "about": "self",
        },
    ),
    DemoReport(
        "primary",
        12,
        {
            "category": "bullying",
            "description": "a boy in year 5 pushes me in the playground and calls me names",
            "location": "on_site",
            "occurred": "playtime",
            "about": "self",
        },
        [
            Step("acknowledge", PRIMARY_DSL),
            Step(
                "reply",
                PRIMARY_DSL,
                "Thank you for telling us. Your teacher will keep an eye on playtime and talk "
                "to you tomorrow.",
            ),
            Step("close", PRIMARY_DSL, "resolved_in_school"),
        ],
    ),
    DemoReport(
        "secondary",
        0,
        {
            "category": "exploitation",
            "description": "Someone older keeps messaging my friend offering him money to carry "
            "packages to another town after school.",
            "location": "online",
            "occurred": "The last few days",
            "about": "someone_else",
        },
    ),
]


def _apply(report: Report, step: Step, users: dict[str, User]) -> None:
    actor = users.get(step.who)
    if step.kind == "acknowledge":
        services.report_acknowledge(actor=actor, report=report, source=SOURCE)
    elif step.kind == "reply":
        services.report_reply(actor=actor, report=report, body=step.text, source=SOURCE)
    elif step.kind == "note":
        services.report_add_note(actor=actor, report=report, body=step.text, source=SOURCE)
    elif step.kind == "pupil":
        services.followup_reply(report=report, body=step.text, source=SOURCE)
    elif step.kind == "assign":
        services.report_assign(actor=actor, report=report, assignee=users[step.text], source=SOURCE)
    elif step.kind == "close":
        services.report_close(actor=actor, report=report, outcome=step.text, source=SOURCE)
    elif step.kind == "link":
        pupil = report.school.pupils.order_by("family_name", "given_name").first()
        services.report_link_pupil(actor=actor, report=report, pupil=pupil, source=SOURCE)


def _backdate(report: Report, days_ago: float) -> None:
    """Move the report's dates back: received ``days_ago`` days ago, each later step a little
    after the one before."""
    if not days_ago:
        return
    received_at = timezone.now() - timedelta(days=days_ago)
    settings_row = triage.area_settings(report.school.area)
    due_at, outcome_due_at = triage.due_times(
        received_at=received_at,
        urgent=report.urgent,
        escalate_after_minutes=settings_row.escalate_after_minutes,
    )
    entries = list(report.entries.order_by("at", "id"))
    stamps = {}
    for index, entry in enumerate(entries):
        # Urgent reports were picked up within minutes; others within hours, then days.
        gap = timedelta(minutes=6) if report.urgent else timedelta(hours=5)
        at = received_at + gap * index + timedelta(days=index // 3)
        stamps[entry.kind] = at
        ReportEntry.objects.filter(pk=entry.pk).update(at=at)
    Report.objects.filter(pk=report.pk).update(
        received_at=received_at,
        due_at=due_at,
        outcome_due_at=outcome_due_at,
        acknowledged_at=stamps.get(EntryKind.ACKNOWLEDGED) if report.acknowledged_at else None,
        closed_at=stamps.get(EntryKind.CLOSED) if report.closed_at else None,
        unread_by_school=report.unread_by_school,
    )


@transaction.atomic
def demo_reports(*, secondary: School, primary: School) -> int:
    """Load the demo reports once; returns how many were made (0 when already there)."""
    if Report.objects.filter(school__in=[secondary, primary]).exists():
        return 0
    emails = {step.who for demo in REPORTS for step in demo.steps} | {TEACHER}
    users = {user.email: user for user in User.objects.filter(email__in=emails)}
    for demo in REPORTS:
        school = secondary if demo.school == "secondary" else primary
        fields = {"in_danger": False, "anonymous": True, **demo.fields}
        submitted = services.report_submit(school=school, source=SOURCE, **fields)
        report = submitted.report
        for step in demo.steps:
            _apply(Report.objects.get(pk=report.pk), step, users)
        report.refresh_from_db()
        if any(step.who for step in demo.steps):
            # Staff have read everything; a pupil's last word is still "new" for the demo.
            last = report.entries.order_by("-at", "-id").first()
            report.unread_by_school = bool(last and last.kind == EntryKind.PUPIL_MESSAGE)
        _backdate(report, demo.days_ago)
    return len(REPORTS)
