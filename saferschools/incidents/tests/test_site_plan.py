"""The site plan and the pins of places on it, through their services: the image re-encoded
without metadata, refused when it is not an image or too large, and every change audited."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from saferschools.accounts.models import Role
from saferschools.core.models import AuditAction, AuditEvent
from saferschools.incidents import plan_services, services
from saferschools.incidents.models import Place, PlaceKind, SitePlan

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
MAKE = 0x010F
SECRET = "SecretPhoneMaker"


def image_bytes(fmt: str = "PNG", size=(120, 80), exif: bool = False, **params) -> bytes:
    picture = Image.new("RGB", size, (240, 240, 240))
    picture.paste((29, 112, 184), (0, 0, size[0] // 2, size[1] // 2))
    if exif:
        tags = Image.Exif()
        tags[MAKE] = SECRET
        tags[GPS_IFD] = {1: "N", 2: (51.0, 10.0, 30.5), 3: "W", 4: (0.0, 9.0, 12.25)}
        params["exif"] = tags
    out = io.BytesIO()
    picture.save(out, format=fmt, **params)
    return out.getvalue()


def upload(data: bytes, name: str = "plan.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def officer(world, persona):
    return persona(Role.SSP_OFFICER, world.p)


def plan_events():
    return AuditEvent.objects.filter(object_type="incidents.siteplan")


def test_a_png_plan_stays_png_and_loses_its_metadata(world, dsl):
    data = image_bytes("PNG", exif=True)
    assert SECRET.encode() in data
    plan = plan_services.site_plan_upload(
        actor=dsl, school=world.school_a, file=upload(data), source="test"
    )
    plan.refresh_from_db()
    content = bytes(plan.content)
    assert content.startswith(b"\x89PNG")
    assert (plan.content_type, plan.width, plan.height) == ("image/png", 120, 80)
    assert SECRET.encode() not in content and b"Exif" not in content
    assert plan.uploaded_by == dsl
    (event,) = plan_events()
    assert (event.action, event.object_id, event.actor_id) == (
        AuditAction.CREATE,
        str(plan.pk),
        dsl.pk,
    )
    assert event.detail == {"content_type": "image/png", "width": 120, "height": 80}


def test_a_photo_of_the_plan_becomes_a_jpeg_without_its_location(world, officer):
    data = image_bytes("JPEG", exif=True)
    assert b"Exif" in data and SECRET.encode() in data
    plan = plan_services.site_plan_upload(
        actor=officer,
        school=world.school_a,
        file=upload(data, "plan.jpg", "image/jpeg"),
        source="test",
    )
    content = bytes(SitePlan.objects.get(pk=plan.pk).content)
    assert plan.content_type == "image/jpeg" and content.startswith(b"\xff\xd8")
    assert b"Exif" not in content and SECRET.encode() not in content
    reopened = Image.open(io.BytesIO(content))
    assert dict(reopened.getexif()) == {}


def test_a_new_plan_replaces_the_old_one(world, dsl):
    plan_services.site_plan_upload(
        actor=dsl, school=world.school_a, file=upload(image_bytes()), source="test"
    )
    plan_services.site_plan_upload(
        actor=dsl,
        school=world.school_a,
        file=upload(image_bytes(size=(60, 90))),
        source="test",
    )
    plan = SitePlan.objects.get()
    assert (plan.width, plan.height) == (60, 90)
    assert [e.action for e in plan_events().order_by("seq")] == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.4 not a picture", "The site plan must be a JPEG"),
        (b"GIF89a" + b"\x00" * 40, "The site plan must be a JPEG"),
        (b"", "The file chosen is empty"),
    ],
)
def test_what_is_not_an_image_is_refused_naming_the_plan(world, dsl, data, message):
    with pytest.raises(ValidationError) as caught:
        plan_services.site_plan_upload(
            actor=dsl, school=world.school_a, file=upload(data), source="test"
        )
    assert list(caught.value.message_dict) == ["plan"]
    assert caught.value.message_dict["plan"][0].startswith(message)
    assert not SitePlan.objects.exists() and not plan_events().exists()


def test_a_plan_of_more_than_ten_megabytes_is_refused(world, dsl):
    too_large = image_bytes() + b"\x00" * (10 * 1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        plan_services.site_plan_upload(
            actor=dsl, school=world.school_a, file=upload(too_large), source="test"
        )
    assert caught.value.message_dict == {"plan": ["The site plan must be smaller than 10 MB"]}
    # Without a size to go by, the file itself is read no further than the limit.
    stream = io.BytesIO(too_large)
    with pytest.raises(ValidationError):
        plan_services.site_plan_upload(actor=dsl, school=world.school_a, file=stream, source="t")
    assert not SitePlan.objects.exists()


def test_no_file_is_refused(world, dsl):
    with pytest.raises(ValidationError) as caught:
        plan_services.site_plan_upload(actor=dsl, school=world.school_a, file=None, source="t")
    assert caught.value.message_dict == {"plan": ["Choose an image of the site plan"]}


@pytest.mark.parametrize("who", ["staff", "practitioner", "outside_officer"])
def test_only_those_who_keep_the_places_upload_a_plan(request, world, who):
    with pytest.raises(ValidationError) as caught:
        plan_services.site_plan_upload(
            actor=request.getfixturevalue(who),
            school=world.school_a,
            file=upload(image_bytes()),
            source="test",
        )
    assert "school_urn" in caught.value.message_dict
    assert not SitePlan.objects.exists()


# Pins ----------------------------------------------------------------------------------------


@pytest.fixture
def sheds(world, dsl):
    return services.place_create(
        actor=dsl, school=world.school_a, name="Bike sheds", kind=PlaceKind.SITE_ZONE, source="t"
    )


def test_a_place_is_pinned_moved_and_unpinned(world, dsl, sheds):
    plan_services.place_pin(actor=dsl, place=sheds, plan_x=35.255, plan_y=20, source="test")
    sheds.refresh_from_db()
    assert (sheds.plan_x, sheds.plan_y) == (35.26, 20.0)
    plan_services.place_pin(actor=dsl, place=sheds, plan_x=0, plan_y=100, source="test")
    sheds.refresh_from_db()
    assert (sheds.plan_x, sheds.plan_y) == (0.0, 100.0)
    plan_services.place_pin(actor=dsl, place=sheds, plan_x=None, plan_y="", source="test")
    sheds.refresh_from_db()
    assert (sheds.plan_x, sheds.plan_y) == (None, None)
    events = AuditEvent.objects.filter(object_type="incidents.place", action=AuditAction.UPDATE)
    assert [e.detail for e in events.order_by("seq")] == [
        {"plan_pin": True},
        {"plan_pin": True},
        {"plan_pin": False},
    ]


@pytest.mark.parametrize(
    ("x", "y", "field"),
    [
        (-1, 50, "plan_x"),
        (50, 100.5, "plan_y"),
        ("50", 50, "plan_x"),
        (True, 50, "plan_x"),
        (float("nan"), 50, "plan_x"),
        (50, float("inf"), "plan_y"),
        (50, None, "plan_y"),
        (None, 50, "plan_x"),
    ],
)
def test_a_bad_pin_is_refused_naming_the_field(world, dsl, sheds, x, y, field):
    with pytest.raises(ValidationError) as caught:
        plan_services.place_pin(actor=dsl, place=sheds, plan_x=x, plan_y=y, source="test")
    assert list(caught.value.message_dict) == [field]
    sheds.refresh_from_db()
    assert sheds.plan_x is None and sheds.plan_y is None
    assert not AuditEvent.objects.filter(
        object_type="incidents.place", action=AuditAction.UPDATE
    ).exists()


def test_only_those_who_keep_the_places_pin_them(world, staff, sheds):
    with pytest.raises(ValidationError) as caught:
        plan_services.place_pin(actor=staff, place=sheds, plan_x=1, plan_y=1, source="test")
    assert "school_urn" in caught.value.message_dict
    assert Place.objects.get(pk=sheds.pk).plan_x is None
