"""The answers a pupil can give to each kind of survey question, as the numbers stored.

A question's kind fixes its answers. Questions about what happened to the pupil (yes or no, how
often) also offer "I'd rather not say"; a pupil may leave any question unanswered. Neither is an
answer about the pupil's experience: results count them together as "no answer" and leave them
out of the percentages.
"""

from .models import AnswerKind

RATHER_NOT_SAY = 9
RATHER_NOT_SAY_LABEL = "I'd rather not say"

# Each kind's answers, in the order the pupil reads them.
SUBSTANTIVE: dict[str, tuple[tuple[int, str], ...]] = {
    AnswerKind.YES_NO: ((1, "Yes"), (2, "No")),
    AnswerKind.AGREE: (
        (1, "Strongly agree"),
        (2, "Agree"),
        (3, "Disagree"),
        (4, "Strongly disagree"),
    ),
    AnswerKind.FREQUENCY: (
        (1, "Never"),
        (2, "Once or twice"),
        (3, "About once a week"),
        (4, "Most days"),
    ),
}
# The kinds where "I'd rather not say" fits: questions about what happened to the pupil.
OFFERS_RATHER_NOT_SAY = frozenset({AnswerKind.YES_NO, AnswerKind.FREQUENCY})


def answer_choices(kind: str) -> list[tuple[int, str]]:
    """Every answer the pupil may choose for a question of this kind, in order."""
    choices = list(SUBSTANTIVE[kind])
    if kind in OFFERS_RATHER_NOT_SAY:
        choices.append((RATHER_NOT_SAY, RATHER_NOT_SAY_LABEL))
    return choices


def substantive_values(kind: str) -> list[int]:
    """The answers that say something about the pupil's experience, in order."""
    return [value for value, _ in SUBSTANTIVE[kind]]


def answer_label(kind: str, value: int) -> str:
    return dict(answer_choices(kind)).get(value, str(value))
