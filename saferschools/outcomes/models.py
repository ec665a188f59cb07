"""Indicators and their values: figures the Department for Education publishes per school,
deprivation by neighbourhood, and what the product computes from its own records.

Nothing here is personal data: school-level rates as published, and neighbourhood ranks.
"""

import uuid

from django.db import models

from saferschools.core.models import Area, Partnership, School


class Indicator(models.Model):
    """One measure a partnership may watch, with the direction that counts as better."""

    class Unit(models.TextChoices):
        PERCENT = "percent", "Per cent"
        PER_100_PUPILS = "per_100", "Per 100 pupils"
        COUNT = "count", "Count"
        PER_100K = "per_100k", "Per 100,000 young people"
        HOURS = "hours", "Hours"
        DAYS = "days", "Days"
        RANK = "rank", "Rank"
        GRADE = "grade", "Inspection grade (1 outstanding to 4 inadequate)"
        SCORE = "score", "Score"

    class Level(models.TextChoices):
        SCHOOL = "school", "School"
        PARTNERSHIP = "partnership", "Partnership"
        AREA = "area", "Area"

    class Source(models.TextChoices):
        IMPORTED = "imported", "Imported from published or partner data"
        SURVEYED = "surveyed", "Pupil perception survey"
        COMPUTED = "computed", "Computed from the product's own records"

    code = models.SlugField(max_length=60, primary_key=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=20, choices=Unit.choices)
    lower_is_better = models.BooleanField(default=True)
    level = models.CharField(max_length=20, choices=Level.choices, default=Level.SCHOOL)
    source = models.CharField(max_length=20, choices=Source.choices)
    national_indicator = models.CharField(
        "national indicator", max_length=40, blank=True, help_text="For example, NI 87"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PeriodKind(models.TextChoices):
    """How long a value's period is. Labels: "2025/26" for an academic year, "2025/26 autumn"
    for a term, "2026-03" for a calendar month (``saferschools.outcomes.periods``)."""

    YEAR = "year", "Academic year"
    TERM = "term", "Term"
    MONTH = "month", "Month"


class IndicatorImport(models.Model):
    """One file of published figures brought in: what layout it had and what it gave."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    layout = models.CharField(max_length=40)
    file_name = models.CharField(max_length=255)
    periods = models.JSONField(default=list)
    rows = models.PositiveIntegerField(default=0)
    values = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.layout})"


class IndicatorValue(models.Model):
    """An indicator's value for one school (or area) and one period.

    A value the publisher suppressed is kept as ``suppressed`` with no number, so that pages say
    "suppressed" rather than "no figure".
    """

    id = models.BigAutoField(primary_key=True)
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="indicator_values"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.CASCADE, related_name="indicator_values"
    )
    # An academic year as "2017/18"; ``period_start`` orders periods and places them in time.
    period = models.CharField(max_length=20)
    period_kind = models.CharField(
        max_length=10, choices=PeriodKind.choices, default=PeriodKind.YEAR
    )
    period_start = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    suppressed = models.BooleanField(default=False)
    imported_from = models.ForeignKey(
        IndicatorImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "school", "period"], name="indicator_value_once_per_school"
            ),
            models.UniqueConstraint(
                fields=["indicator", "area", "period"], name="indicator_value_once_per_area"
            ),
            models.CheckConstraint(
                condition=models.Q(school__isnull=False) ^ models.Q(area__isnull=False),
                name="indicator_value_school_or_area",
            ),
            models.CheckConstraint(
                condition=models.Q(suppressed=True, value__isnull=True)
                | models.Q(suppressed=False, value__isnull=False),
                name="indicator_value_number_or_suppressed",
            ),
        ]
        indexes = [models.Index(fields=["school", "indicator", "period_start"])]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period}"


class LsoaDeprivation(models.Model):
    """The Index of Multiple Deprivation for one neighbourhood (a 2011 LSOA): rank 1 is the most
    deprived in England, decile 1 the most deprived tenth."""

    lsoa_code = models.CharField("LSOA code", max_length=12, primary_key=True)
    lsoa_name = models.CharField(max_length=120)
    district_code = models.CharField(max_length=12)
    district_name = models.CharField(max_length=120)
    imd_rank = models.PositiveIntegerField("IMD rank")
    imd_decile = models.PositiveSmallIntegerField("IMD decile")
    edition = models.CharField(max_length=10, default="2019")

    class Meta:
        ordering = ["lsoa_code"]
        verbose_name = "LSOA deprivation"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(imd_decile__gte=1, imd_decile__lte=10),
                name="lsoa_deprivation_decile_1_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(imd_rank__gte=1), name="lsoa_deprivation_rank_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lsoa_code} (decile {self.imd_decile})"


# The pupil perception survey -------------------------------------------------------------------
#
# A survey is a round per school and term. Pupils answer with no account, no name and nothing of
# their device kept; one answer per pupil is enforced by single-use codes the school prints and
# hands out. A code is kept only as a keyed hash with a used flag: no time, no link to the
# response it admitted, and a response records neither when it came nor which code it used.


class AnswerKind(models.TextChoices):
    YES_NO = "yes_no", "Yes or no"
    AGREE = "agree", "Agree or disagree (four points)"
    FREQUENCY = "frequency", "How often (never to most days)"


class SurveyQuestion(models.Model):
    """One question of an area's survey, as the area words it; ``indicator`` names the surveyed
    indicator its answers feed, and ``counted_answers`` which answers count towards it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="survey_questions")
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="questions"
    )
    text = models.CharField(max_length=300)
    text_primary = models.CharField(
        "wording for primary pupils",
        max_length=300,
        blank=True,
        help_text="Leave blank to ask primary pupils the same words",
    )
    kind = models.CharField(max_length=20, choices=AnswerKind.choices)
    counted_answers = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["area", "position", "text"]

    def __str__(self) -> str:
        return self.text


class SurveyRound(models.Model):
    """A school's survey for one term: open from ``opens_on`` to ``closes_on``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="survey_rounds")
    period = models.CharField(max_length=20, help_text='A term, as "2025/26 autumn"')
    period_start = models.DateField()
    opens_on = models.DateField()
    closes_on = models.DateField()
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["school", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["school", "period"], name="survey_round_once_a_term"),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="survey_round_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.period}"


class SurveyRoundQuestion(models.Model):
    """A question as it was asked in one round: its words are kept, so that changing the
    area's question later does not change what past answers meant."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="questions")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.PROTECT, related_name="asked")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=AnswerKind.choices)

    class Meta:
        ordering = ["round", "position"]
        constraints = [
            models.UniqueConstraint(fields=["round", "question"], name="survey_question_once"),
        ]

    def __str__(self) -> str:
        return self.text


class SurveyCodeBatch(models.Model):
    """A sheet of codes printed for a round. The codes are shown once, on the sheet; a lost
    sheet is voided and another printed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="batches")
    count = models.PositiveIntegerField()
    label = models.CharField(max_length=100, blank=True, help_text="For example, Year 9")
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["round", "created_at"]

    def __str__(self) -> str:
        return f"{self.count} codes for {self.round}"


class SurveyCode(models.Model):
    """One single-use code, kept only as a keyed hash; ``used`` is all that is recorded of its
    use."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    batch = models.ForeignKey(SurveyCodeBatch, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    used = models.BooleanField(default=False)

    def __str__(self) -> str:
        return "survey code"


class SurveyResponse(models.Model):
    """One pupil's answers to a round: no time, no code, nothing of who or where."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(SurveyRound, on_delete=models.PROTECT, related_name="responses")
    phase = models.CharField(
        max_length=20, blank=True, help_text="The wording answered: primary or secondary"
    )

    def __str__(self) -> str:
        return "survey response"


class SurveyAnswer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        SurveyRoundQuestion, on_delete=models.PROTECT, related_name="answers"
    )
    value = models.SmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once"),
        ]

    def __str__(self) -> str:
        return "survey answer"


# Evaluation against comparison schools ---------------------------------------------------------


class Evaluation(models.Model):
    """A difference-in-differences estimate of a partnership's effect on one indicator, with the
    schools and periods it used, kept as it was when made."""

    class Chosen(models.TextChoices):
        AUTOMATIC = "automatic", "Chosen automatically"
        EDITED = "edited", "Chosen automatically, then edited"
        GIVEN = "given", "Given by the user"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="evaluations"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    period_kind = models.CharField(
        max_length=10, choices=PeriodKind.choices, default=PeriodKind.YEAR
    )
    started_on = models.DateField(help_text="When the partnership began, as the evaluation took it")
    treated_urns = models.JSONField(default=list)
    comparison_urns = models.JSONField(default=list)
    comparison_chosen = models.CharField(max_length=20, choices=Chosen.choices)
    periods = models.JSONField(default=list)
    estimate = models.FloatField()
    std_error = models.FloatField()
    ci_low = models.FloatField()
    ci_high = models.FloatField()
    p_value = models.FloatField()
    n_units = models.PositiveIntegerField()
    n_periods = models.PositiveIntegerField()
    n_observations = models.PositiveIntegerField()
    caveats = models.JSONField(default=list)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.partnership} {self.indicator_id}"


# The annual report and business plan -----------------------------------------------------------


class AnnualReport(models.Model):
    """What the partnership writes into its annual report for an academic year (``year`` is the
    year it starts: 2025 for 2025/26); every figure in the report is read live."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField()
    summary = models.TextField(blank=True)
    successes = models.TextField(blank=True)
    case_studies = models.TextField(blank=True)
    further_work = models.TextField("areas for further work", blank=True)
    priorities = models.TextField("next year's priorities", blank=True)
    resources = models.TextField("next year's resources", blank=True)
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partnership", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "year"], name="annual_report_once_a_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partnership} {self.year}/{(self.year + 1) % 100:02d}"
