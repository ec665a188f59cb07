"""The pupil's survey page: the code from the slip, the questions, and thanks.

Nobody signs in here and nothing is kept about who is answering: these views never write a
session, set a cookie or read the network address or browser (the code throttle keeps a hash of
the address in memory, and only to slow down guessing). Every response tells the browser not to
keep the page and not to tell the next site where the pupil came from. The code is only ever
posted, never put in an address, and is kept nowhere but as the keyed hash the school's sheet
was made with; the answers are stored with neither the code nor the time.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from saferschools.core.audit import audit_source
from saferschools.core.models import School

from . import survey_selectors as selectors
from . import survey_services as services
from .models import SurveyRound
from .survey_forms import PupilSurveyForm
from .survey_throttle import survey_code_failed, survey_code_throttle

View = Callable[..., HttpResponse]


def survey_pupil_page(view: View) -> View:
    """Mark a view as a pupil's page: nothing cached, no referrer, no CSRF cookie.

    The form acts for nobody signed in: a forged post can do nothing a stranger cannot do by
    posting directly, and a CSRF token would need a cookie, which these pages never set.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        return response

    return csrf_exempt(wrapped)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context.setdefault("exit_url", settings.EXIT_PAGE_URL)
    return render(request, f"outcomes/{template}", context, status=status)


def _problem(request: HttpRequest, heading: str, text: str, status: int) -> HttpResponse:
    return _render(
        request, "survey_pupil_problem.html", {"heading": heading, "text": text}, status=status
    )


def _not_open(request: HttpRequest) -> HttpResponse:
    # The same for a school that does not exist and one with no survey open: nothing to learn.
    return _problem(
        request,
        "There is no survey here just now",
        "If you typed the web address, check it against your slip. If it is right, the survey "
        "has not opened yet or has closed.",
        404,
    )


def _form_page(
    request: HttpRequest,
    school: School,
    survey_round: SurveyRound,
    form: PupilSurveyForm,
    status: int = 200,
) -> HttpResponse:
    return _render(
        request,
        "survey_pupil_form.html",
        {
            "school": school,
            "survey_round": survey_round,
            "form": form,
            "takes_reports": school.partnership is not None,
        },
        status=status,
    )


@survey_pupil_page
@require_http_methods(["GET", "HEAD", "POST"])
def survey_take(request: HttpRequest, urn: int) -> HttpResponse:
    found = selectors.school_for_survey(urn=urn, today=timezone.localdate())
    if found is None:
        return _not_open(request)
    school, survey_round = found
    questions = selectors.round_questions(survey_round)
    if request.method != "POST":
        return _form_page(request, school, survey_round, PupilSurveyForm(questions=questions))
    throttle = survey_code_throttle(request)
    if throttle.limited:
        minutes = max(1, -(-throttle.retry_after // 60))
        response = _problem(
            request,
            "Too many tries",
            "Too many codes that did not match were entered from here. Try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}.",
            429,
        )
        response.headers["Retry-After"] = str(throttle.retry_after)
        return response
    form = PupilSurveyForm(request.POST, questions=questions)
    if not form.is_valid():
        return _form_page(request, school, survey_round, form, status=400)
    try:
        services.survey_response_submit(
            school=school,
            code=form.cleaned_data["code"],
            answers=form.answers(),
            source=audit_source(request),
        )
    except services.SurveyNotOpen:
        return _not_open(request)
    except ValidationError as error:
        if any(one.code == services.WRONG_CODE for one in error.error_dict.get("code", [])):
            survey_code_failed(request)
        form.add_service_errors(error)
        return _form_page(request, school, survey_round, form, status=400)
    return _render(
        request,
        "survey_pupil_thanks.html",
        {"school": school, "takes_reports": school.partnership is not None},
    )


urlpatterns: list[URLPattern] = [
    # The pupil's page: no account, no session, nothing recorded about who is answering.
    path("survey/<int:urn>/", survey_take, name="outcomes-survey-take"),
]
