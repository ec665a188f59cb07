"""The sharing pages' forms with bad input of every kind: each is a page naming the field
(status 400), never a 500, and nothing is stored."""

import pytest

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent, Notification
from saferschools.sharing.models import (
    InformationSharingAgreement,
    PoliceNotification,
    SharingDecision,
)

from .test_agreement_views import form_data as agreement_form
from .test_agreement_views import make_agreement
from .test_decision_views import form_data as decision_form
from .test_police_views import form_data as notification_form

pytestmark = pytest.mark.django_db

LONG = "9" * 10_000


def stored():
    return (
        SharingDecision.objects.count(),
        PoliceNotification.objects.count(),
        InformationSharingAgreement.objects.count(),
        list(InformationSharingAgreement.objects.values_list("version", flat=True)),
        Notification.objects.count(),
        AuditEvent.objects.exclude(action=AuditAction.VIEW).count(),
    )


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p)


def error_ids(body: str) -> list[str]:
    summary = body.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [part.split('"', 1)[0] for part in summary.split('href="#')[1:]]


DATE_PARTS = [
    ({"expires_on_day": "31", "expires_on_month": "2"}, "31-feb"),
    ({"expires_on_year": "0000"}, "year-0"),
    ({"expires_on_year": LONG}, "year-10000-digits"),
    ({"expires_on_day": "\x00"}, "day-nul"),
    ({"expires_on_month": "-1"}, "month-negative"),
]
DECISION_CASES = [
    *DATE_PARTS,
    ({"agency": "\x00"}, "agency-nul"),
    ({"agency": LONG}, "agency-long"),
    ({"practitioner": "not-a-user"}, "practitioner-not-offered"),
    ({"agreement": "\x00"}, "agreement-nul"),
    ({"purpose": "why\x00"}, "purpose-nul"),
    ({"purpose": "x" * 2001}, "purpose-too-long"),
    ({"information": " \n "}, "information-blank"),
    ({"items": ["plans", "\x00"]}, "items-nul"),
    ({"golden_rules": ["record"]}, "one-golden-rule"),
    ({"golden_rules": []}, "no-golden-rule"),
    ({"lawful_basis": "dpa_35_2_b", "special_condition": "dpa_sch1_18"}, "mixed-regimes"),
    ({"decision": ""}, "no-decision"),
    ({"consent": "not_sought"}, "not-sought-without-reason"),
]


@pytest.mark.parametrize(
    "changes", [case[0] for case in DECISION_CASES], ids=[case[1] for case in DECISION_CASES]
)
def test_the_decision_form_refuses_bad_input_naming_a_field(client, world, dsl, changes):
    client.force_login(dsl)
    before = stored()
    response = client.post(
        f"/pupils/{world.pupil_a.pk}/sharing-decisions/new/", decision_form(world, **changes)
    )
    assert response.status_code == 400
    body = response.content.decode()
    ids = error_ids(body)
    assert ids
    for target in ids:
        assert f'id="{target}"' in body, target
    assert stored() == before


NOTIFICATION_CASES = [
    ({"occurred_on_day": "31", "occurred_on_month": "2"}, "31-feb"),
    ({"occurred_on_year": LONG}, "year-10000-digits"),
    ({"occurred_on_year": "1999"}, "last-century"),
    ({"occurred_time": "25:00"}, "hour-25"),
    ({"occurred_time": "\x00"}, "time-nul"),
    ({"pupil": "\x00"}, "pupil-nul"),
    ({"pupil": LONG}, "pupil-long"),
    ({"kind": "\x00"}, "kind-nul"),
    ({"summary": "\x00\x00"}, "summary-nul"),
    ({"summary": "x" * 5001}, "summary-too-long"),
]


@pytest.mark.parametrize(
    "changes",
    [case[0] for case in NOTIFICATION_CASES],
    ids=[case[1] for case in NOTIFICATION_CASES],
)
def test_the_notification_form_refuses_bad_input_naming_a_field(client, world, officer, changes):
    client.force_login(officer)
    before = stored()
    response = client.post(
        f"/schools/{world.school_a.urn}/police-notifications/new/",
        notification_form(world.pupil_a, **changes),
    )
    assert response.status_code == 400
    body = response.content.decode()
    for target in error_ids(body):
        assert f'id="{target}"' in body, target
    assert stored() == before


AGREEMENT_CASES = [
    ({"review_on_year": LONG}, "year-10000-digits"),
    ({"review_on_day": "29", "review_on_month": "2", "review_on_year": "2027"}, "29-feb"),
    ({"parties": ["\x00"]}, "party-nul"),
    ({"parties": []}, "no-party"),
    ({"title": "t\x00"}, "title-nul"),
    ({"title": "x" * 201}, "title-too-long"),
    ({"lawful_basis": "gdpr_6_1_e", "special_condition": "dpa_sch8_4"}, "mixed-regimes"),
    ({"version": "abc"}, "version-not-a-number"),
    ({"version": LONG}, "version-10000-digits"),
    ({"version": "0"}, "version-zero"),
]


@pytest.mark.parametrize(
    "changes", [case[0] for case in AGREEMENT_CASES], ids=[case[1] for case in AGREEMENT_CASES]
)
def test_the_agreement_form_refuses_bad_input(client, world, dsl, changes):
    agreement = make_agreement(world, dsl)
    client.force_login(dsl)
    before = stored()
    for url in (
        f"/partnerships/{world.p.pk}/sharing-agreements/new/",
        f"/sharing-agreements/{agreement.pk}/edit/",
    ):
        response = client.post(url, agreement_form(world, **changes))
        assert response.status_code == 400, url
        body = response.content.decode()
        for target in error_ids(body):
            assert f'id="{target}"' in body, target
    assert stored() == before


@pytest.mark.parametrize(
    "query",
    [
        "?page=%00",
        "?page=99999999999999999999999",
        "?page=-1",
        "?since_day=%00&since_month=1&since_year=2026",
        f"?since_day=1&since_month=1&since_year={LONG}",
        "?since_day=31&since_month=2&since_year=2026",
        "?since_day=1&since_month=1&since_year=0000",
    ],
    ids=["page-nul", "page-huge", "page-negative", "day-nul", "year-long", "31-feb", "year-0"],
)
def test_the_lists_answer_odd_queries_without_an_error(client, world, dsl, query):
    client.force_login(dsl)
    for url in (
        f"/schools/{world.school_a.urn}/disclosure-log/",
        f"/schools/{world.school_a.urn}/disclosure-log/download/",
        f"/partnerships/{world.p.pk}/disclosure-log/",
        f"/schools/{world.school_a.urn}/police-notifications/",
    ):
        assert client.get(url + query).status_code in (200, 400), url
