"""The pupils' pages: the school's help page and advice, telling the school, the receipt, and
following up with it.

Nobody signs in here and nothing is kept about who is asking: these views never write a session,
set a cookie or read the network address or browser (the receipt throttle keeps a hash of the
address in memory, and only to slow down guessing). Every response tells the browser not to
keep the page and not to tell the next site where the pupil came from, and every form posts,
so that nothing a pupil chooses or types goes into an address.
"""

import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from saferschools.core.audit import audit_source
from saferschools.core.models import School
from saferschools.lib.markdown import markdown_render
from saferschools.lib.schooldays import LONDON

from . import selectors, services
from .models import DESCRIPTION_MAX, URGENT_CATEGORIES, Category, EntryKind, Report
from .photos import MAX_PHOTOS
from .pupil_forms import CategoryForm, ReceiptForm, ReplyForm, TellForm
from .receipts import receipt_display, receipt_normalise
from .throttle import Throttle, receipt_failed, receipt_throttle

# Each step of telling the school posts to the same address, naming its step in a hidden field
# (tell_category.html and topic.html post the first, tell.html the second), so that nothing a
# pupil chooses or types is ever in an address kept in the browser's history.
STEP_CATEGORY = "category"
STEP_SEND = "send"
START_AGAIN = "Something went wrong and nothing was sent. Choose what it is about to start again."
NOT_FOUND_RECEIPT = "We could not find a report with that receipt. Check the numbers and try again."
REPORT_FIELDS = (
    "category",
    "description",
    "location",
    "occurred",
    "about",
    "in_danger",
    "anonymous",
    "name",
    "year_group",
)

View = Callable[..., HttpResponse]


def pupil_page(view: View) -> View:
    """Mark a view as a pupil's page: nothing cached, no referrer, no CSRF cookie.

    These forms act for nobody signed in, so a forged post can do nothing that a stranger
    cannot do by posting directly; a CSRF token would need a cookie, and these pages set none.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    return csrf_exempt(wrapped)


class PhotoUploadHandler(FileUploadHandler):
    """Keeps a pupil's photos in memory only, so that none reaches the disk with its location
    and camera details still in it. It keeps one file more than a report takes, so that too
    many is still noticed, and of each file no more than makes it too large."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.files_seen = 0
        self.limit = settings.REPORT_PHOTO_MAX_MB * 1024 * 1024 + 1

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        self.keep = self.files_seen <= MAX_PHOTOS + 1
        self.buffer = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.keep and self.buffer.tell() < self.limit:
            self.buffer.write(raw_data[: self.limit - self.buffer.tell()])
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if not self.keep:
            return None
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context.setdefault("exit_url", settings.EXIT_PAGE_URL)
    return render(request, f"reporting/pupil/{template}", context, status=status)


def _not_found(request: HttpRequest) -> HttpResponse:
    return _render(
        request,
        "problem.html",
        {
            "heading": "Page not found",
            "text": "If you typed the web address, check it is correct. Your school's website "
            "has the link to its help and reporting page.",
        },
        status=404,
    )


def _school(urn: int) -> School | None:
    try:
        return services.school_for_reports(urn)
    except School.DoesNotExist:
        return None


@pupil_page
@require_safe
def help_page(request: HttpRequest, urn: int) -> HttpResponse:
    school = _school(urn)
    if school is None:
        return _not_found(request)
    return _render(
        request,
        "help.html",
        {"school": school, "topics": selectors.safety_topics(area=school.area)},
    )


@pupil_page
@require_safe
def topic(request: HttpRequest, urn: int, category: str) -> HttpResponse:
    school = _school(urn)
    found = selectors.safety_topic(area=school.area, category=category) if school else None
    if found is None:
        return _not_found(request)
    return _render(
        request,
        "topic.html",
        {
            "school": school,
            "topic": found,
            "body_html": markdown_render(found.body),
            "urgent": category in URGENT_CATEGORIES,
        },
    )


@pupil_page
@require_http_methods(["GET", "HEAD", "POST"])
def tell(request: HttpRequest, urn: int) -> HttpResponse:
    school = _school(urn)
    if school is None:
        return _not_found(request)
    if request.method != "POST":
        # Step 1, with nothing chosen, whatever the address carries: a choice in the address
        # would stay in the browser's history, where someone else using the device could see it.
        return _render(request, "tell_category.html", {"school": school, "form": CategoryForm()})
    # Set before the form is read, so that photos are only ever held in memory.
    request.upload_handlers = [PhotoUploadHandler(request)]
    step = request.POST.get("step")
    if step == STEP_CATEGORY:
        return _tell_category(request, school)
    if step == STEP_SEND:
        return _tell_submit(request, school)
    return _tell_start_again(request, school)


def _tell_category(request: HttpRequest, school: School) -> HttpResponse:
    form = CategoryForm(request.POST)
    if not form.is_valid():
        return _render(request, "tell_category.html", {"school": school, "form": form}, 400)
    return _tell_page(
        request, school, TellForm(initial={"category": form.cleaned_data["category"]})
    )


def _tell_start_again(request: HttpRequest, school: School) -> HttpResponse:
    """Step 1 again, for a post that is neither step: nothing is sent, nothing is kept."""
    form = CategoryForm(data={})
    form.is_valid()
    # Not "choose what it is about" on the radios: the pupil did nothing wrong on this step.
    form.errors.clear()
    form.add_error(None, START_AGAIN)
    return _render(request, "tell_category.html", {"school": school, "form": form}, 400)


def _tell_page(
    request: HttpRequest, school: School, form: TellForm, *, status: int = 200
) -> HttpResponse:
    category = form.chosen_category
    return _render(
        request,
        "tell.html",
        {
            "school": school,
            "form": form,
            "category": category,
            "category_label": Category(category).label if category else "",
            "urgent_category": category in URGENT_CATEGORIES,
            "description_max": DESCRIPTION_MAX,
            "description_max_text": f"{DESCRIPTION_MAX:,}",
            "photos_dropped": bool(request.FILES.getlist("photos")),
            "max_photos": MAX_PHOTOS,
            "photo_max_mb": settings.REPORT_PHOTO_MAX_MB,
        },
        status=status,
    )


def _tell_submit(request: HttpRequest, school: School) -> HttpResponse:
    form = TellForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            submitted = services.report_submit(
                school=school,
                **{field: data[field] for field in REPORT_FIELDS},
                photos=data["photos"],
                source=audit_source(request),
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return _receipt_page(request, school, submitted.report, submitted.receipt)
    return _tell_page(request, school, form, status=400)


def _receipt_page(
    request: HttpRequest, school: School, report: Report, receipt: str
) -> HttpResponse:
    # Shown once: the receipt is in this page and nowhere else.
    return _render(
        request,
        "receipt.html",
        {
            "school": school,
            "report": report,
            "receipt": receipt,
            "receipt_display": receipt_display(receipt),
            "followup_url": _followup_url(),
            "print_page": True,
        },
    )


def _followup_url() -> str:
    return settings.BASE_URL.rstrip("/") + reverse("reporting-followup")


@pupil_page
@require_POST
def receipt_download(request: HttpRequest) -> HttpResponse:
    # Only the receipt comes back: it is not looked up, so this tells nobody whether it works.
    code = receipt_normalise(request.POST.get("receipt", ""))
    if code is None:
        return _render(
            request,
            "problem.html",
            {
                "heading": "There is a problem",
                "text": "That is not a receipt. Go back to the page with your receipt and "
                "write it down instead.",
            },
            status=400,
        )
    followup_url = _followup_url()
    today = dateformat.format(timezone.localtime(timezone.now(), LONDON), "j F Y")
    text = (
        f"Your receipt: {receipt_display(code)}\n"
        "\n"
        "Keep it secret and safe. Anyone who has it can read the replies to your report.\n"
        "\n"
        "To read replies and write back, go to:\n"
        f"{followup_url}\n"
        "\n"
        f"Saved on {today}.\n"
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response.headers["Content-Disposition"] = 'attachment; filename="receipt.txt"'
    return response


def _too_many(request: HttpRequest, throttle: Throttle) -> HttpResponse:
    minutes = max(1, -(-throttle.retry_after // 60))
    response = _render(
        request,
        "problem.html",
        {
            "heading": "Too many tries",
            "text": "Too many receipts that did not match were entered from here. Try again "
            f"in {minutes} minute{'s' if minutes != 1 else ''}.",
        },
        status=429,
    )
    response.headers["Retry-After"] = str(throttle.retry_after)
    return response


def _find(request: HttpRequest, receipt: str) -> Report | HttpResponse:
    """The report for this receipt, or the response to give: too many tries, or not found
    (alike for a wrong, malformed or expired receipt)."""
    throttle = receipt_throttle(request)
    if throttle.limited:
        return _too_many(request, throttle)
    report = selectors.followup_find(receipt)
    if report is not None:
        return report
    receipt_failed(request)
    form = ReceiptForm({"receipt": receipt})
    form.is_valid()
    form.errors["receipt"] = form.error_class([NOT_FOUND_RECEIPT])
    return _render(request, "followup_start.html", {"form": form}, status=400)


def _conversation(
    request: HttpRequest, report: Report, form: ReplyForm, *, sent: bool = False, status: int = 200
) -> HttpResponse:
    entries = [
        {
            "from_pupil": entry.kind == EntryKind.PUPIL_MESSAGE,
            "at": entry.at,
            "body": entry.body,
        }
        for entry in selectors.followup_messages(report=report)
    ]
    return _render(
        request,
        "followup.html",
        {
            "school": report.school,
            "report": report,
            "status_label": report.pupil_status[1],
            "category_label": Category(report.category).label,
            "conversation": entries,
            "form": form,
            "sent": sent,
        },
        status=status,
    )


@pupil_page
@require_http_methods(["GET", "HEAD", "POST"])
def followup(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request, "followup_start.html", {"form": ReceiptForm()})
    form = ReceiptForm(request.POST)
    if not form.is_valid():
        return _render(request, "followup_start.html", {"form": form}, status=400)
    receipt = form.cleaned_data["receipt"]
    found = _find(request, receipt)
    if isinstance(found, HttpResponse):
        return found
    return _conversation(request, found, ReplyForm(initial={"receipt": receipt}))


@pupil_page
@require_POST
def followup_reply(request: HttpRequest) -> HttpResponse:
    form = ReplyForm(request.POST)
    receipt = request.POST.get("receipt", "")
    found = _find(request, receipt)
    if isinstance(found, HttpResponse):
        return found
    if form.is_valid():
        try:
            services.followup_reply(
                report=found, body=form.cleaned_data["body"], source=audit_source(request)
            )
        except ValidationError as error:
            for messages in error.message_dict.values():
                form.add_error("body", messages)
        else:
            found.refresh_from_db()
            return _conversation(request, found, ReplyForm(initial={"receipt": receipt}), sent=True)
    return _conversation(request, found, form, status=400)
