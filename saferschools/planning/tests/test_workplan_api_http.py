"""The work-plan API over real HTTP: a head teacher writes the year's plan, a partner reads it,
the action's owner records progress, and bad input and outsiders get their answers."""

import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.lib.schooldays import academic_year_of
from saferschools.planning.models import ActionProgress, Workplan, WorkplanAction
from saferschools.testing.factories import (
    AgencyFactory,
    MembershipFactory,
    PartnershipFactory,
    PartnershipSchoolFactory,
    SchoolFactory,
    UserFactory,
)

# The live server runs in another thread and needs committed data; the serialized rollback
# restores what migrations put in the database (the audit chain's head) for each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def call(
    url: str, data: object = None, key: str | None = None
) -> tuple[int, dict[str, str], object]:
    """GET ``url``, or POST ``data`` as JSON; the status, headers and decoded JSON body, also
    for 4xx answers."""
    body = None if data is None else json.dumps(data).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/json"})  # noqa: S310
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if key is not None:
        request.add_header("Authorization", f"Token {key}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), json.loads(error.read())


@pytest.fixture
def people(transactional_db):
    """A partnership of one school with its head teacher, its officer, a youth offending team
    practitioner of the area, and an officer of another partnership, each with a token."""
    school = SchoolFactory(name="Oakwood School")
    partnership = PartnershipFactory(area=school.area, name="Horley SSP")
    PartnershipSchoolFactory(partnership=partnership, school=school)
    yot = AgencyFactory(area=school.area, kind="youth_offending_team", name="Surrey YOS")
    other = PartnershipFactory(area=school.area, name="Woking SSP")
    found = {"partnership": partnership}
    for name, role, scope in [
        ("head", Role.HEAD_TEACHER, {"school": school}),
        ("officer", Role.SSP_OFFICER, {"partnership": partnership}),
        ("yot", Role.AGENCY_PRACTITIONER, {"agency": yot}),
        ("outsider", Role.SSP_OFFICER, {"partnership": other}),
    ]:
        user = UserFactory(email=f"{name}@horley.example", full_name=name.title())
        MembershipFactory(user=user, role=role, **scope)
        _, key = api_token_create(actor=None, user=user, name="http test", source="test")
        found[name] = (user, key)
    return found


def test_a_plan_is_written_read_and_progressed_over_http(live_server, people):
    partnership = people["partnership"]
    (_, head), (officer, officer_key), (_, yot), (_, outsider) = (
        people["head"],
        people["officer"],
        people["yot"],
        people["outsider"],
    )
    today = timezone.localdate()
    year = academic_year_of(today)
    api = f"{live_server.url}/api/v1"
    plan_url = f"{api}/partnerships/{partnership.pk}/workplan"

    # Nothing yet for this year.
    status, _, answer = call(plan_url, key=yot)
    assert (status, answer["detail"]) == (404, f"No work-plan for {year}/{(year + 1) % 100:02d}.")

    body = {
        "outcomes": [
            {
                "aim": "beyond_site",
                "text": "Reduced pupil and staff concern about trouble hotspots",
                "partner_roles": [
                    {"partner": "Schools and police", "role": "Agree staffing and patrols"}
                ],
                "actions": [
                    {
                        "description": "Co-ordinated patrols at the beginning and end of the day",
                        "owner_email": "officer@horley.example",
                        "due_on": (today + timedelta(days=30)).isoformat(),
                    }
                ],
                "targets": [
                    {
                        "description": "More patrols",
                        "indicator": "patrols",
                        "baseline": 4,
                        "baseline_on": (today - timedelta(days=60)).isoformat(),
                        "target_value": 12,
                        "target_on": (today + timedelta(days=200)).isoformat(),
                    }
                ],
            }
        ]
    }
    # A target without a baseline: a 400 naming it, and nothing written.
    bad = json.loads(json.dumps(body))
    del bad["outcomes"][0]["targets"][0]["baseline"]
    status, _, answer = call(plan_url, bad, key=head)
    assert status == 400
    assert answer["errors"] == {
        "outcomes[0].targets[0].baseline": [
            "Enter the baseline: the figure when the target was set"
        ]
    }
    assert not Workplan.objects.exists()

    # Those who do not keep the plan get 404.
    assert call(plan_url, body, key=officer_key)[0] == 404
    assert call(plan_url, body, key=outsider)[0] == 404

    status, headers, created = call(plan_url, body, key=head)
    assert status == 201
    assert headers["Location"] == f"/partnerships/{partnership.pk}/work-plan/{year}/"
    assert created["year"] == year and created["status"] == "draft"
    (outcome,) = created["outcomes"]
    (action,) = outcome["actions"]
    assert action["owner_email"] == "officer@horley.example"
    (target,) = outcome["targets"]
    assert (target["indicator"], target["baseline"], target["current"]) == ("patrols", 4.0, 0.0)

    # A partner reads it; an outsider may not.
    status, _, read = call(f"{plan_url}?year={year}", key=yot)
    assert status == 200
    assert read == created
    assert call(plan_url, key=outsider)[0] == 404

    # The owner records progress; a bad status is named; others get 404.
    status_url = f"{api}/workplan-actions/{action['id']}/status"
    status, _, answer = call(status_url, {"status": "finished"}, key=officer_key)
    assert (status, list(answer["errors"])) == (400, ["status"])
    assert call(status_url, {"status": "done"}, key=yot)[0] == 404
    status, _, changed = call(
        status_url, {"status": "in_progress", "note": "Started"}, key=officer_key
    )
    assert status == 200
    assert changed["status"] == "in_progress"
    assert WorkplanAction.objects.get().status == "in_progress"
    assert ActionProgress.objects.get().by == officer
