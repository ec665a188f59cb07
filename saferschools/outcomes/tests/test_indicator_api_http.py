"""The indicator API over real HTTP: the catalogue, a school's values for one who sees its
records and one who does not, bad input and outsiders."""

from urllib.parse import urlencode

import pytest
from django.utils import timezone

from saferschools.accounts.models import Role
from saferschools.api.services import api_token_create
from saferschools.incidents.models import Incident
from saferschools.outcomes.models import Indicator
from saferschools.testing.factories import (
    MembershipFactory,
    PartnershipFactory,
    PartnershipSchoolFactory,
    SchoolFactory,
    UserFactory,
)

from ...planning.tests.test_workplan_api_http import call

# The live server runs in another thread and needs committed data; the serialized rollback
# restores what migrations put in the database (the catalogue, the audit chain's head).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def people(transactional_db):
    """A school of a partnership, its safeguarding lead, a steering group member and an officer
    of another partnership, each with a token; two incidents at the school this month."""
    school = SchoolFactory(name="Oakwood School")
    partnership = PartnershipFactory(area=school.area, name="Horley SSP")
    PartnershipSchoolFactory(partnership=partnership, school=school)
    other = PartnershipFactory(area=school.area, name="Woking SSP")
    PartnershipSchoolFactory(partnership=other, school=SchoolFactory(area=school.area))
    found: dict = {"school": school}
    for name, role, scope in [
        ("lead", Role.SAFEGUARDING_LEAD, {"school": school}),
        ("steering", Role.STEERING_MEMBER, {"partnership": partnership}),
        ("outsider", Role.SSP_OFFICER, {"partnership": other}),
    ]:
        user = UserFactory(email=f"{name}@horley.example")
        MembershipFactory(user=user, role=role, **scope)
        _, found[name] = api_token_create(actor=None, user=user, name="http", source="test")
    when = timezone.now()
    for _ in range(2):
        Incident.objects.create(
            school=school,
            occurred_at=when,
            recorded_at=when,
            recorded_by=UserFactory(),
            location_kind="on_site",
            category="bullying",
            severity="medium",
            description="Pushed against the lockers at break.",
            updated_at=when,
            updated_by=UserFactory(),
        )
    return found


def test_indicators_over_http(live_server, people):
    school = people["school"]
    base = f"{live_server.url}/api/v1"

    status, headers, catalogue = call(f"{base}/indicators", key=people["steering"])
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert len(catalogue) == Indicator.objects.count()

    month = timezone.localdate().strftime("%Y-%m")
    query = urlencode({"code": "incidents", "kind": "month", "since": month})
    url = f"{base}/schools/{school.urn}/indicators?{query}"
    status, _, rows = call(url, key=people["lead"])
    assert (status, rows) == (
        200,
        [
            {
                "code": "incidents",
                "period": month,
                "value": 2,
                "source": "computed",
                "suppressed": False,
            }
        ],
    )
    status, _, rows = call(url, key=people["steering"])
    assert (status, rows[0]["value"], rows[0]["suppressed"]) == (200, None, True)

    status, _, body = call(
        f"{base}/schools/{school.urn}/indicators?since=2025%2F27", key=people["lead"]
    )
    assert status == 400
    assert list(body["errors"]) == ["since"]

    status, _, body = call(url, key=people["outsider"])
    assert (status, body) == (404, {"detail": "Not found."})
    status, _, _ = call(url)
    assert status in (401, 403)
