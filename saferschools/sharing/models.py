"""Information sharing: agreements between partners, case-by-case sharing decisions that grant an
agency time-limited access to a pupil's record, and notifications from the police to a school."""

import uuid
from datetime import date

from django.db import models
from django.utils import timezone

from saferschools.casework.models import Pupil
from saferschools.core.models import Agency, Partnership, School


class LawfulBasis(models.TextChoices):
    """The lawful basis for sharing: UK GDPR Article 6 for schools, local authorities and other
    agencies; the Data Protection Act 2018 Part 3 (section 35) for the police's law enforcement
    processing."""

    CONSENT = "gdpr_6_1_a", "UK GDPR Article 6(1)(a): consent"
    LEGAL_OBLIGATION = "gdpr_6_1_c", "UK GDPR Article 6(1)(c): legal obligation"
    VITAL_INTERESTS = "gdpr_6_1_d", "UK GDPR Article 6(1)(d): vital interests"
    PUBLIC_TASK = "gdpr_6_1_e", "UK GDPR Article 6(1)(e): public task"
    LEGITIMATE_INTERESTS = "gdpr_6_1_f", "UK GDPR Article 6(1)(f): legitimate interests"
    LAW_ENFORCEMENT_CONSENT = "dpa_35_2_a", "DPA 2018 Part 3, section 35(2)(a): consent"
    LAW_ENFORCEMENT_TASK = (
        "dpa_35_2_b",
        "DPA 2018 Part 3, section 35(2)(b): necessary for a law enforcement purpose",
    )


class SpecialCondition(models.TextChoices):
    """The further condition for special-category or criminal-offence data (UK GDPR Articles 9
    and 10 with DPA 2018 Schedule 1), or for sensitive processing under Part 3 (Schedule 8)."""

    NONE = "none", "None: no special-category or criminal-offence data"
    EXPLICIT_CONSENT = "gdpr_9_2_a", "UK GDPR Article 9(2)(a): explicit consent"
    VITAL_INTERESTS = "gdpr_9_2_c", "UK GDPR Article 9(2)(c): vital interests"
    STATUTORY_PURPOSES = "dpa_sch1_6", "DPA 2018 Schedule 1, paragraph 6: statutory purposes"
    PREVENTING_CRIME = (
        "dpa_sch1_10",
        "DPA 2018 Schedule 1, paragraph 10: preventing or detecting unlawful acts",
    )
    SAFEGUARDING = (
        "dpa_sch1_18",
        "DPA 2018 Schedule 1, paragraph 18: safeguarding of children and of individuals at risk",
    )
    LAW_ENFORCEMENT_SAFEGUARDING = (
        "dpa_sch8_4",
        "DPA 2018 Schedule 8, paragraph 4: safeguarding of children (law enforcement)",
    )


class InformationSharingAgreement(models.Model):
    """A partnership's agreement for routine sharing between its partners: who, why, what, on
    what basis, how often, how kept, for how long, and when it is next reviewed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="sharing_agreements"
    )
    title = models.CharField(max_length=200)
    parties = models.ManyToManyField(Agency, related_name="sharing_agreements")
    purpose = models.TextField()
    data_shared = models.TextField()
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    special_condition = models.CharField(
        max_length=20, choices=SpecialCondition.choices, default=SpecialCondition.NONE
    )
    frequency = models.CharField(max_length=200)
    security = models.TextField()
    retention = models.TextField()
    review_on = models.DateField()
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def review_overdue(self) -> bool:
        return self.review_on < timezone.localdate()


class Consent(models.TextChoices):
    GIVEN = "given", "Sought and given"
    REFUSED = "refused", "Sought and refused"
    NOT_SOUGHT = "not_sought", "Not sought"


class Decision(models.TextChoices):
    SHARE = "share", "Share"
    NOT_SHARE = "not_share", "Do not share"


class SharedItem(models.TextChoices):
    """What of a pupil's record a grant opens, besides the chronology of those items."""

    ASSESSMENTS = "assessments", "Risk-factor assessments"
    PLANS = "plans", "Early-intervention plans"
    REFERRALS = "referrals", "Referrals"
    MEETINGS = "meetings", "Notes from multi-agency meetings"
    INCIDENTS = "incidents", "Incidents"
    REPORTS = "reports", "Pupils' reports linked to the pupil"
    NOTIFICATIONS = "notifications", "Notifications from the police"


class GoldenRule(models.TextChoices):
    """The seven golden rules of information sharing (HM Government, 2008 and since), each of
    which the decider confirms they have considered."""

    NOT_A_BARRIER = (
        "not_a_barrier",
        "Data protection law is not a barrier to sharing information to keep a child safe",
    )
    OPEN_AND_HONEST = (
        "open_and_honest",
        "I have been open and honest with the family about what is shared, why and with whom, "
        "unless that would put a child at risk",
    )
    ADVICE = "advice", "I have sought advice where in doubt, without naming the child if possible"
    CONSENT = (
        "consent",
        "I have shared with consent where appropriate, or know the lawful reason to share without",
    )
    SAFETY_AND_WELLBEING = (
        "safety_and_wellbeing",
        "I have based the decision on the safety and well-being of the child and others",
    )
    NECESSARY_PROPORTIONATE = (
        "necessary_proportionate",
        "What is shared is necessary, proportionate, relevant, adequate, accurate, timely and "
        "secure",
    )
    RECORD = "record", "I am recording the decision and the reasons for it, whether or not I share"


class SharingDecision(models.Model):
    """A decision, case by case, whether to share a pupil's information with an agency.

    A "share" decision grants the agency's practitioners (or the one practitioner named) access
    to the pupil's chronology and the items named, from the decision until the start of
    ``expires_on`` or until revoked, whichever is first.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="sharing_decisions")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="sharing_decisions")
    practitioner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreement = models.ForeignKey(
        InformationSharingAgreement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    purpose = models.TextField()
    information = models.TextField()
    items = models.JSONField(default=list)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    special_condition = models.CharField(
        max_length=20, choices=SpecialCondition.choices, default=SpecialCondition.NONE
    )
    consent = models.CharField(max_length=20, choices=Consent.choices)
    consent_reason = models.TextField(blank=True)
    golden_rules_confirmed = models.BooleanField()
    decision = models.CharField(max_length=20, choices=Decision.choices)
    reason = models.TextField(blank=True)
    expires_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(golden_rules_confirmed=True), name="sharing_golden_rules"
            ),
            models.CheckConstraint(
                condition=~models.Q(decision="share") | models.Q(expires_on__isnull=False),
                name="sharing_share_expires",
            ),
        ]
        indexes = [models.Index(fields=["agency", "pupil"], name="sharing_grant_idx")]

    def __str__(self) -> str:
        return f"Sharing decision {self.id}"

    def live_on(self, day: date) -> bool:
        """Whether this decision grants access on ``day`` (a date in Europe/London)."""
        return (
            self.decision == Decision.SHARE
            and self.revoked_at is None
            and self.expires_on is not None
            and day < self.expires_on
        )

    @property
    def live(self) -> bool:
        return self.live_on(timezone.localdate())


class PoliceNotificationKind(models.TextChoices):
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse at home"
    MISSING = "missing", "Missing from home or care"
    ARREST_OF_FAMILY_MEMBER = "family_arrest", "Arrest of a family member"
    VICTIM_OR_WITNESS = "victim_or_witness", "Victim of or witness to crime"
    EXPLOITATION = "exploitation", "Concern about exploitation"
    OTHER = "other", "Other incident outside school"


class PoliceNotification(models.Model):
    """A notification from the police to a school of an incident outside school that affects a
    pupil (Operation Encompass and the like), due to be read before the next school day."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="police_notifications")
    kind = models.CharField(
        max_length=30, choices=PoliceNotificationKind.choices, default=PoliceNotificationKind.OTHER
    )
    summary = models.TextField()
    occurred_at = models.DateTimeField()
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    due_by = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    support_given = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"Police notification {self.id}"
