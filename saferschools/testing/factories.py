"""factory_boy factories for the foundation's models."""

from typing import Any

import factory

from saferschools.accounts.models import Membership, User
from saferschools.casework.models import Pupil
from saferschools.core.models import Agency, Area, Partnership, PartnershipSchool, School

TEST_PASSWORD = "correct-horse-battery-staple"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"Area {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    urn = factory.Sequence(lambda n: 900000 + n)
    name = factory.Sequence(lambda n: f"School {n}")
    area = factory.SubFactory(AreaFactory)
    phase = "Secondary"
    establishment_type = "Academy converter"
    type_group = "Academies"
    la_code = "936"
    local_authority = "Surrey"
    town = "Horley"
    postcode = "RH6 9AE"
    easting = 528000
    northing = 143000
    number_of_pupils = 900
    low_age = 11
    high_age = 16


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    name = factory.Sequence(lambda n: f"Partnership {n}")
    area = factory.SubFactory(AreaFactory)


class PartnershipSchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnershipSchool

    partnership = factory.SubFactory(PartnershipFactory)
    school = factory.SubFactory(SchoolFactory)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    area = factory.SubFactory(AreaFactory)
    kind = Agency.Kind.POLICE_FORCE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@school.example")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(user: User, create: bool, extracted, **kwargs) -> None:
        # factory_boy calls this with the made user, not the factory, as the first argument.
        if create:
            user.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    school_pupil_id = factory.Sequence(lambda n: f"A{n:05d}")
    given_name = factory.Sequence(lambda n: f"Given{n}")
    family_name = factory.Sequence(lambda n: f"Family{n}")
    date_of_birth = factory.Faker("date_between", start_date="-16y", end_date="-11y")
    year_group = 9


def submit_report(school, **fields):
    """A pupil's report to ``school`` made through the real service; returns the
    ``SubmittedReport`` (the report and its receipt). Any field can be overridden."""
    from saferschools.reporting.services import report_submit

    values: dict[str, Any] = {
        "category": "bullying",
        "description": "Some pupils in year 9 keep taking my bag at lunch.",
        "location": "on_site",
        "occurred": "Last Tuesday at lunch",
        "about": "self",
        "in_danger": False,
        "anonymous": True,
        "source": "test",
    }
    values.update(fields)
    return report_submit(school=school, **values)
