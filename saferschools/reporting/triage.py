"""Deciding whether a report is urgent, and by when the school must answer it."""

import re
import unicodedata
from datetime import datetime, timedelta

from django.conf import settings

from saferschools.lib.schooldays import end_of_school_day_after

from .models import URGENT_CATEGORIES, ReportingSettings, UrgentReason

# Seeded into every area's settings; staff add and remove words for their area. Cue words match
# whole words only ("knife" is found in "a knife!" but not in "knifes" or "penknife"), so each
# form that matters is listed.
DEFAULT_CUE_WORDS = (
    "knife",
    "knives",
    "knifed",
    "blade",
    "machete",
    "gun",
    "guns",
    "stab",
    "stabbed",
    "stabbing",
    "kill myself",
    "killing myself",
    "end my life",
    "suicide",
    "suicidal",
    "want to die",
    "hurt myself",
    "hurting myself",
    "cut myself",
    "cutting myself",
    "overdose",
    "self harm",
    "self-harm",
    "not safe at home",
    "scared to go home",
    "hits me",
    "beats me",
    "touched me",
    "touching me",
    "raped",
    "rape",
    "groomed",
    "grooming",
    "nudes",
    "sextortion",
    "blackmail",
    "county lines",
    "carry drugs",
    "run away",
    "going to attack",
    "bomb",
    "threatened to kill",
)


# Phones type curly apostrophes and typographic hyphens where cue words have straight ones.
_PUNCTUATION = str.maketrans(
    dict.fromkeys("\u2018\u2019\u02bc", "'") | dict.fromkeys("\u2010\u2011", "-")
)
# Invisible formatting characters (soft hyphens, zero-width spaces) that copied text carries.
_INVISIBLE = re.compile(r"[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def _fold(text: str) -> str:
    """Lower-case, compatibility-normalised text with runs of space made single, so that
    "Kill  MYSELF", full-width letters and curly apostrophes match as typed words do."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _INVISIBLE.sub("", text.translate(_PUNCTUATION))
    return re.sub(r"\s+", " ", text)


def matched_cue_words(text: str, cue_words: list[str]) -> list[str]:
    """The cue words and phrases that occur in ``text`` as whole words."""
    folded = _fold(text)
    found = []
    for word in cue_words:
        needle = _fold(word).strip()
        if needle and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", folded):
            found.append(word)
    return found


def area_settings(area) -> ReportingSettings:
    """The area's triage settings, made with the defaults on first use."""
    found, _ = ReportingSettings.objects.get_or_create(
        area=area, defaults={"cue_words": "\n".join(DEFAULT_CUE_WORDS)}
    )
    return found


def urgent_reasons(
    *, category: str, in_danger: bool, texts: list[str], cue_words: list[str]
) -> list[str]:
    """Why a report is urgent, in a fixed order; empty when it is not."""
    reasons = []
    if in_danger:
        reasons.append(UrgentReason.IN_DANGER.value)
    if category in URGENT_CATEGORIES:
        reasons.append(UrgentReason.CATEGORY.value)
    if any(matched_cue_words(text, cue_words) for text in texts):
        reasons.append(UrgentReason.CUE_WORDS.value)
    return reasons


def due_times(
    *, received_at: datetime, urgent: bool, escalate_after_minutes: int
) -> tuple[datetime, datetime]:
    """When the school must acknowledge the report, and when it must have an outcome.

    An urgent report is to be acknowledged within the area's escalation time; any other by the
    end of the next school day. Every report is to have an outcome within
    ``REPORT_OUTCOME_SCHOOL_DAYS`` school days.
    """
    if urgent:
        due_at = received_at + timedelta(minutes=escalate_after_minutes)
    else:
        due_at = end_of_school_day_after(received_at, 1)
    outcome_due_at = end_of_school_day_after(received_at, settings.REPORT_OUTCOME_SCHOOL_DAYS)
    return due_at, max(outcome_due_at, due_at)
