"""The parts of a pupil's page and of the landing page that each casework capability adds, and
the landing page's parts from the partnership's life (protocols to sign, actions owned, requests
awaiting an answer).

Each capability's views module offers ``pupil_panel(request, pupil)`` (and, where it has one,
``landing_panel(request)``), returning the context of its partial template or ``None`` when the
user sees none of it; the pages include the partials in this order.
"""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from saferschools.planning import needs_views, protocol_views, steering_views, workplan_views
from saferschools.sharing import decision_views, police_views

from . import (
    assessment_views,
    chronology_views,
    meeting_views,
    plan_views,
    referral_views,
    transfer_views,
)
from .models import Pupil

PUPIL_PANELS = (
    ("casework/_pupil_chronology.html", chronology_views.pupil_panel),
    ("casework/_pupil_assessments.html", assessment_views.pupil_panel),
    ("casework/_pupil_plans.html", plan_views.pupil_panel),
    ("casework/_pupil_referrals.html", referral_views.pupil_panel),
    ("casework/_pupil_meetings.html", meeting_views.pupil_panel),
    ("sharing/_pupil_decisions.html", decision_views.pupil_panel),
    ("sharing/_pupil_police_notifications.html", police_views.pupil_panel),
    ("casework/_pupil_transfers.html", transfer_views.pupil_panel),
)

LANDING_PANELS = (
    ("sharing/_landing_police_notifications.html", police_views),
    ("casework/_landing_plans.html", plan_views),
    ("casework/_landing_referrals.html", referral_views),
    ("casework/_landing_meetings.html", meeting_views),
    ("casework/_landing_transfers.html", transfer_views),
    ("sharing/_landing_agreements.html", decision_views),
    ("planning/_landing_protocols.html", protocol_views),
    ("planning/_landing_workplan_actions.html", workplan_views),
    ("planning/_landing_steering_actions.html", steering_views),
    ("planning/_landing_ssp_requests.html", needs_views),
)


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any]


def pupil_panels(request: HttpRequest, pupil: Pupil) -> list[Panel]:
    """The casework parts of a pupil's page the user sees."""
    panels = []
    for template, build in PUPIL_PANELS:
        context = build(request, pupil)
        if context is not None:
            panels.append(Panel(template, context))
    return panels


def landing_panels(request: HttpRequest) -> list[Panel]:
    """The casework parts of the user's landing page: what they owe, what is overdue."""
    panels = []
    for template, module in LANDING_PANELS:
        build = getattr(module, "landing_panel", None)
        context = build(request) if build is not None else None
        if context is not None:
            panels.append(Panel(template, context))
    return panels
