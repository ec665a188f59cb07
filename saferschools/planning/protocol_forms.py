"""Forms for the partnership's aims and desired outcomes, its protocol, and signing it.

The forms check the shape of what was sent (a choice from the list, a real date, text for every
partner named); ``protocol_services`` checks the rest, and its errors are put back on the
fields they are about.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from saferschools.core.models import Agency, School
from saferschools.incidents.forms import DateInputField
from saferschools.sharing.decision_forms import ServiceErrors
from saferschools.sharing.models import InformationSharingAgreement

from .aims import outcome_menu
from .models import CoreAim, PartnershipAim, Protocol
from .protocol_services import (
    NOTE_MAX,
    OUTCOME_MAX,
    SHORT_TEXT_MAX,
    TEXT_MAX,
    PartnerInput,
    ProtocolInput,
    partner_field,
)

# A short name for each core aim, for labels and headings beside the aim's full wording.
AIM_TITLES: dict[str, str] = {
    CoreAim.SAFETY: "Safety in and around the school",
    CoreAim.VICTIMS: "Help for victims and those at risk",
    CoreAim.ENFORCEMENT: "Focused enforcement",
    CoreAim.EARLY_IDENTIFICATION: "Early identification of pupils at risk",
    CoreAim.BEHAVIOUR_ATTENDANCE: "Behaviour and attendance",
    CoreAim.RELATIONS: "Relations with the police and the community",
    CoreAim.BEYOND_SITE: "Issues beyond the school site",
}
# Empty boxes for outcomes of the partnership's own offered under each aim, at the least.
OTHERS_MIN = 2
# No aim is given more boxes than this, whatever a request says.
OTHERS_MAX = 20
_OTHER_NAME = re.compile(r"other_([a-z_]+)_(\d{1,3})", re.ASCII)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# Aims and desired outcomes --------------------------------------------------------------------


class AimsForm(forms.Form):
    """Each core aim as a checkbox, with the guidance's outcomes for it as checkboxes and a few
    boxes for outcomes of the partnership's own. Outcomes under an aim not ticked are refused
    rather than dropped, so that nothing typed is lost without a word."""

    def __init__(self, data: Any = None, *, others: Mapping[str, int], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.aim_rows: list[dict[str, Any]] = []
        for code, label in CoreAim.choices:
            title = AIM_TITLES.get(code, label)
            self.fields[f"aim_{code}"] = forms.BooleanField(
                label=label, required=False, help_text=""
            )
            self.fields[f"outcomes_{code}"] = forms.MultipleChoiceField(
                label=f"Desired outcomes from the guidance: {_lower_first(title)}",
                choices=[(text, text) for text in outcome_menu(code)],
                required=False,
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": "Choose outcomes from the list"},
            )
            other_names = []
            for number in range(min(max(others.get(code, 0), OTHERS_MIN), OTHERS_MAX)):
                name = f"other_{code}_{number}"
                self.fields[name] = forms.CharField(
                    label=f"Another desired outcome for {_lower_first(title)} (optional)",
                    required=False,
                    max_length=OUTCOME_MAX,
                    error_messages={
                        "max_length": f"Use {OUTCOME_MAX} characters or fewer for an outcome"
                    },
                )
                other_names.append(name)
            self.aim_rows.append(
                {"code": code, "title": title, "label": label, "others": other_names}
            )

    @staticmethod
    def others_in(data: Mapping[str, Any]) -> dict[str, int]:
        """How many boxes of the partnership's own outcomes a sent form had under each aim."""
        counts: dict[str, int] = {}
        for name in data:
            match = _OTHER_NAME.fullmatch(name)
            if match and match.group(1) in CoreAim.values:
                number = int(match.group(2)) + 1
                counts[match.group(1)] = min(max(counts.get(match.group(1), 0), number), OTHERS_MAX)
        return counts

    def rows(self) -> list[dict[str, Any]]:
        """For the template: each aim with its bound fields."""
        return [
            {
                **row,
                "aim": self[f"aim_{row['code']}"],
                "outcomes": self[f"outcomes_{row['code']}"],
                "other_fields": [self[name] for name in row["others"]],
            }
            for row in self.aim_rows
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for row in self.aim_rows:
            code = row["code"]
            outcomes = list(data.get(f"outcomes_{code}") or [])
            outcomes += [text for name in row["others"] if (text := data.get(name, "").strip())]
            if outcomes and not data.get(f"aim_{code}"):
                self.add_error(
                    f"aim_{code}",
                    f"Tick “{row['title']}” to keep the outcomes chosen under it, or clear them",
                )
        return data

    def aims_input(self) -> dict[str, list[str]]:
        """The chosen aims, each with its desired outcomes (the guidance's, then its own)."""
        data = self.cleaned_data
        aims: dict[str, list[str]] = {}
        for row in self.aim_rows:
            code = row["code"]
            if not data.get(f"aim_{code}"):
                continue
            texts = list(data.get(f"outcomes_{code}") or [])
            texts += [text for name in row["others"] if (text := data.get(name, "").strip())]
            aims[code] = texts
        return aims


def aims_initial(aims: Iterable[PartnershipAim]) -> tuple[dict[str, Any], dict[str, int]]:
    """The aims form's starting values for the chosen aims (outcomes prefetched), and how many
    boxes of its own outcomes each aim needs (one empty at the least)."""
    initial: dict[str, Any] = {}
    others: dict[str, int] = {}
    for aim in aims:
        menu = outcome_menu(aim.aim)
        texts = [outcome.text for outcome in aim.outcomes.all()]
        own = [text for text in texts if text not in menu]
        initial[f"aim_{aim.aim}"] = True
        initial[f"outcomes_{aim.aim}"] = [text for text in texts if text in menu]
        for number, text in enumerate(own):
            initial[f"other_{aim.aim}_{number}"] = text
        others[aim.aim] = len(own) + 1
    return initial, others


# The protocol -----------------------------------------------------------------------------------


def _text(
    label: str, what: str, help_text: str = "", *, required: bool = True, max_length: int = TEXT_MAX
) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": f"Say {what}",
            "max_length": f"Use {max_length:,} characters or fewer to say {what}",
        },
    )


class ProtocolForm(ServiceErrors, forms.Form):
    """Everything a version of the protocol says. Each school of the partnership is a partner;
    each agency of the area may be named, with what it brings and its responsibilities."""

    service_fields = {"sharing_agreement_id": "sharing_agreement", "version": "", "partners": ""}

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    purpose = _text(
        "Purpose",
        "what the partnership is for",
        "What the partnership sets out to do together, in its own words.",
    )
    line_management = _text(
        "The officer's line management",
        "how the officer is line managed",
        "Line management remains with the police force: say who manages the officer, and "
        "the school's part in setting their objectives.",
    )
    deployment = forms.ChoiceField(
        label="Is the officer deployed full time or part time?",
        choices=Protocol.Deployment.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the officer is deployed full time or part time",
            "invalid_choice": "Choose full time or part time",
        },
    )
    days_per_school = _text(
        "Days in each school (optional)",
        "the days in each school",
        "For example, Monday and Tuesday at Oakwood School, Thursday at Langshott Primary.",
        required=False,
        max_length=SHORT_TEXT_MAX,
    )
    room_and_equipment = _text(
        "Room and equipment (optional)",
        "the room and equipment",
        "Where the officer works in school, and what the school provides.",
        required=False,
        max_length=SHORT_TEXT_MAX,
    )
    resources_and_funding = _text(
        "Resources and funding",
        "who pays for what",
        "Who pays for what: the officer's post, equipment, activities.",
    )
    communication = _text(
        "Communication to parents and the community",
        "how parents and the community are told",
        "How parents, pupils and the wider community learn about the partnership.",
    )
    governance = _text(
        "Governance and accountability",
        "how the partnership is governed",
        "The steering group, how often it meets, and to whom the partnership reports.",
    )
    sharing_agreement = forms.ChoiceField(
        label="Information-sharing agreement relied on",
        help_text="The partnership's agreement for routine sharing between its partners.",
        required=False,
        error_messages={"invalid_choice": "Choose an agreement from the list"},
    )
    review_on = DateInputField(
        label="Next review",
        help_text="Within three years. For example, 1 9 2027",
        what="of the next review",
    )
    change_note = forms.CharField(
        label="What changed (optional)",
        help_text="A few words for the list of versions, for example “New days in each school”.",
        required=False,
        max_length=NOTE_MAX,
        error_messages={"max_length": f"Use {NOTE_MAX} characters or fewer to say what changed"},
    )

    def __init__(
        self,
        data: Any = None,
        *,
        schools: Iterable[School],
        agencies: Iterable[Agency],
        agreements: Iterable[InformationSharingAgreement],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        fields: Any = self.fields
        fields["sharing_agreement"].choices = [("", "None yet")] + [
            (str(agreement.pk), f"{agreement.title} (version {agreement.version})")
            for agreement in agreements
        ]
        self.schools = list(schools)
        self.agencies = list(agencies)
        for school in self.schools:
            self._partner_fields(school, required=True)
        for agency in self.agencies:
            fields[partner_field(agency, "include")] = forms.BooleanField(
                label=f"Name {agency.name} as a partner", required=False
            )
            self._partner_fields(agency, required=False)

    def _partner_fields(self, partner: Agency | School, *, required: bool) -> None:
        hint = "" if required else f"Only if {partner.name} is named as a partner."
        self.fields[partner_field(partner, "brings")] = _text(
            f"What {partner.name} brings",
            f"what {partner.name} brings",
            hint or "Staff, time, facilities, services: its letter to the partnership.",
            required=required,
        )
        self.fields[partner_field(partner, "responsibilities")] = _text(
            f"{partner.name}: roles and responsibilities",
            f"the roles and responsibilities of {partner.name}",
            hint,
            required=required,
        )

    def school_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "partner": school,
                "brings": self[partner_field(school, "brings")],
                "responsibilities": self[partner_field(school, "responsibilities")],
            }
            for school in self.schools
        ]

    def agency_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "partner": agency,
                "include": self[partner_field(agency, "include")],
                "brings": self[partner_field(agency, "brings")],
                "responsibilities": self[partner_field(agency, "responsibilities")],
            }
            for agency in self.agencies
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        for agency in self.agencies:
            brings = partner_field(agency, "brings")
            responsibilities = partner_field(agency, "responsibilities")
            if data.get(partner_field(agency, "include")):
                for name, what in (
                    (brings, f"what {agency.name} brings"),
                    (responsibilities, f"the roles and responsibilities of {agency.name}"),
                ):
                    if name in data and not data[name].strip():
                        self.add_error(name, f"Say {what}")
            elif (data.get(brings) or "").strip() or (data.get(responsibilities) or "").strip():
                self.add_error(
                    partner_field(agency, "include"),
                    f"Tick “Name {agency.name} as a partner” to include it, or clear what it "
                    "brings and its responsibilities",
                )
        return data

    def protocol_input(self) -> ProtocolInput:
        data = self.cleaned_data
        partners = [
            PartnerInput(
                school_id=school.pk,
                brings=data[partner_field(school, "brings")],
                responsibilities=data[partner_field(school, "responsibilities")],
            )
            for school in self.schools
        ]
        partners += [
            PartnerInput(
                agency_id=agency.pk,
                brings=data[partner_field(agency, "brings")],
                responsibilities=data[partner_field(agency, "responsibilities")],
            )
            for agency in self.agencies
            if data.get(partner_field(agency, "include"))
        ]
        return ProtocolInput(
            purpose=data["purpose"],
            line_management=data["line_management"],
            deployment=data["deployment"],
            days_per_school=data["days_per_school"],
            room_and_equipment=data["room_and_equipment"],
            resources_and_funding=data["resources_and_funding"],
            communication=data["communication"],
            governance=data["governance"],
            sharing_agreement_id=data["sharing_agreement"] or None,
            review_on=data["review_on"],
            change_note=data["change_note"],
            partners=partners,
        )


def protocol_initial(protocol: Protocol | None) -> dict[str, Any]:
    """The form's starting values: the latest version's (partners prefetched), or none."""
    if protocol is None:
        return {}
    initial: dict[str, Any] = {
        "version": protocol.version,
        "purpose": protocol.purpose,
        "line_management": protocol.line_management,
        "deployment": protocol.deployment,
        "days_per_school": protocol.days_per_school,
        "room_and_equipment": protocol.room_and_equipment,
        "resources_and_funding": protocol.resources_and_funding,
        "communication": protocol.communication,
        "governance": protocol.governance,
        "sharing_agreement": str(protocol.sharing_agreement_id or ""),
        "review_on": protocol.review_on,
    }
    for partner in protocol.partners.all():
        named: Agency | School = partner.agency or partner.school  # type: ignore[assignment]
        if partner.agency_id:
            initial[partner_field(named, "include")] = True
        initial[partner_field(named, "brings")] = partner.brings
        initial[partner_field(named, "responsibilities")] = partner.responsibilities
    return initial


# Signing ----------------------------------------------------------------------------------------


class ProtocolSignForm(forms.Form):
    """Which partner the signer signs for (an agency or a school, by id), and the version they
    read."""

    version = forms.IntegerField(
        min_value=1,
        error_messages={
            "required": "Sign from the protocol's page",
            "invalid": "Sign from the protocol's page",
            "min_value": "Sign from the protocol's page",
        },
    )
    agency = forms.UUIDField(required=False, error_messages={"invalid": "Choose a partner"})
    school = forms.UUIDField(required=False, error_messages={"invalid": "Choose a partner"})

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not self.errors and (data.get("agency") is None) == (data.get("school") is None):
            raise ValidationError("Choose the partner you sign for")
        return data
