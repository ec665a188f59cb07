"""Forms for referrals: making one from the pupil's page and recording the agency's answer.

The fields are named as the API names them, so that the services' errors (which name those
fields) land on the field they are about.
"""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone

from saferschools.core.models import Agency
from saferschools.sharing.models import SharingDecision

from .models import Plan, ReferralService, ReferralStatus
from .plan_forms import ServiceErrorsMixin
from .referral_services import TEXT_MAX


def _decision_label(decision: SharingDecision) -> str:
    return (
        f"To share with {decision.agency.name}, decided "
        f"{timezone.localtime(decision.decided_at):%d %b %Y}, "
        f"until {decision.expires_on:%d %b %Y}"
    )


class ReferralForm(ServiceErrorsMixin, forms.Form):
    agency_id = forms.ChoiceField(
        label="Agency",
        error_messages={
            "required": "Choose the agency to refer to",
            "invalid_choice": "Choose the agency from the list",
        },
    )
    service = forms.ChoiceField(
        label="Service",
        help_text="Leave it to be worked out from the agency, or choose the service.",
        required=False,
        choices=[("", "The agency's usual service"), *ReferralService.choices],
        error_messages={"invalid_choice": "Choose the service from the list"},
    )
    reason = forms.CharField(
        label="Reason for the referral",
        help_text="What the agency needs to know to decide: what worries you and what has been "
        "tried. Information goes only as a sharing decision allows.",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter the reason for the referral",
            "max_length": f"Use {TEXT_MAX:,} characters or fewer for the reason",
        },
    )
    sharing_decision_id = forms.ChoiceField(
        label="Sharing decision (optional)",
        help_text="The decision to share with this agency under which the referral goes. Its "
        "practitioners are told of the referral.",
        required=False,
        error_messages={"invalid_choice": "Choose the sharing decision from the list"},
    )
    plan_id = forms.ChoiceField(
        label="Part of a plan (optional)",
        required=False,
        error_messages={"invalid_choice": "Choose the plan from the list"},
    )

    def __init__(
        self,
        data: Any = None,
        *,
        agencies: Iterable[Agency],
        decisions: Iterable[SharingDecision],
        plans: Iterable[Plan],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["agency_id"].choices = [  # type: ignore[attr-defined]
            ("", "Choose an agency"),
            *((str(agency.pk), agency.name) for agency in agencies),
        ]
        self.fields["sharing_decision_id"].choices = [  # type: ignore[attr-defined]
            ("", "None"),
            *((str(decision.pk), _decision_label(decision)) for decision in decisions),
        ]
        self.fields["plan_id"].choices = [  # type: ignore[attr-defined]
            ("", "None"),
            *(
                (
                    str(plan.pk),
                    f"Plan opened {timezone.localtime(plan.opened_at):%d %b %Y} "
                    f"({plan.get_status_display()})",
                )
                for plan in plans
            ),
        ]


class ReferralStatusForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        label="The agency's answer",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the agency's answer",
            "invalid_choice": "Choose one of the answers listed",
        },
    )
    outcome = forms.CharField(
        label="Outcome",
        help_text="Needed when the referral is declined (why) or completed (what came of it).",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"Use {TEXT_MAX:,} characters or fewer for the outcome"},
    )

    def __init__(
        self, data: Any = None, *, statuses: Iterable[ReferralStatus], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (status.value, status.label) for status in statuses
        ]
