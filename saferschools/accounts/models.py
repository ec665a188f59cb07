"""Users, who sign in by e-mail, and their memberships: a role held over a scope."""

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from saferschools.core.models import Agency, Area, Partnership, School


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("A user needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. What they may see follows from their memberships alone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="May use the operator's administration site."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    failed_sign_ins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


class Role(models.TextChoices):
    SCHOOL_STAFF = "school_staff", "School staff"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    HEAD_TEACHER = "head_teacher", "Head teacher"
    SSP_OFFICER = "ssp_officer", "SSP officer"
    POLICE_SUPERVISOR = "police_supervisor", "Police supervisor"
    AGENCY_PRACTITIONER = "agency_practitioner", "Agency practitioner"
    LA_ANALYST = "la_analyst", "Local authority analyst"
    STEERING_MEMBER = "steering_member", "Steering group member"
    AREA_ADMIN = "area_admin", "Area administrator"


class ScopeType(models.TextChoices):
    SCHOOL = "school", "School"
    PARTNERSHIP = "partnership", "Partnership"
    AGENCY = "agency", "Agency"
    AREA = "area", "Area"


# Which kinds of scope each role may be held over. An SSP officer is deployed to a school or to
# every school of a partnership; a supervisor manages through the force (an agency) or an area.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.SCHOOL_STAFF: frozenset({ScopeType.SCHOOL}),
    Role.SAFEGUARDING_LEAD: frozenset({ScopeType.SCHOOL}),
    Role.HEAD_TEACHER: frozenset({ScopeType.SCHOOL}),
    Role.SSP_OFFICER: frozenset({ScopeType.SCHOOL, ScopeType.PARTNERSHIP}),
    Role.POLICE_SUPERVISOR: frozenset({ScopeType.AGENCY, ScopeType.AREA}),
    Role.AGENCY_PRACTITIONER: frozenset({ScopeType.AGENCY}),
    Role.LA_ANALYST: frozenset({ScopeType.AREA}),
    Role.STEERING_MEMBER: frozenset({ScopeType.PARTNERSHIP}),
    Role.AREA_ADMIN: frozenset({ScopeType.AREA}),
}

# Roles whose holders can reach pupils' personal data.
PERSONAL_DATA_ROLES = frozenset(
    {
        Role.SCHOOL_STAFF,
        Role.SAFEGUARDING_LEAD,
        Role.HEAD_TEACHER,
        Role.SSP_OFFICER,
        Role.POLICE_SUPERVISOR,
        Role.AGENCY_PRACTITIONER,
    }
)

# Roles that must give a second factor when they sign in: those that reach pupils' personal
# data, and the area's administrators, who see every account and hand out those roles.
TWO_FACTOR_ROLES = PERSONAL_DATA_ROLES | {Role.AREA_ADMIN}


Scope = School | Partnership | Agency | Area


def scope_fields(scope: Scope) -> dict[str, Scope]:
    """The membership field that holds this scope, e.g. ``{"school": school}``."""
    kind = {School: "school", Partnership: "partnership", Agency: "agency", Area: "area"}
    return {kind[type(scope)]: scope}


class Membership(models.Model):
    """A role a user holds over exactly one scope: a school, partnership, agency or area."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    partnership = models.ForeignKey(
        Partnership, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role"]
        constraints = [
            models.CheckConstraint(
                name="membership_exactly_one_scope",
                condition=(
                    models.Q(
                        school__isnull=False,
                        partnership__isnull=True,
                        agency__isnull=True,
                        area__isnull=True,
                    )
                    | models.Q(
                        school__isnull=True,
                        partnership__isnull=False,
                        agency__isnull=True,
                        area__isnull=True,
                    )
                    | models.Q(
                        school__isnull=True,
                        partnership__isnull=True,
                        agency__isnull=False,
                        area__isnull=True,
                    )
                    | models.Q(
                        school__isnull=True,
                        partnership__isnull=True,
                        agency__isnull=True,
                        area__isnull=False,
                    )
                ),
            ),
            *[
                models.UniqueConstraint(
                    fields=["user", "role", kind],
                    condition=models.Q(**{f"{kind}__isnull": False}),
                    name=f"membership_unique_per_{kind}",
                )
                for kind in ("school", "partnership", "agency", "area")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}, {self.scope_name}"

    @property
    def scope_type(self) -> str:
        for kind in ScopeType.values:
            if getattr(self, f"{kind}_id"):
                return kind
        return ""

    @property
    def scope(self) -> Scope:
        """The one school, partnership, agency or area (a database constraint ensures one)."""
        for candidate in (self.school, self.partnership, self.agency, self.area):
            if candidate is not None:
                return candidate
        raise ValueError("This membership has no scope.")

    @property
    def scope_id(self) -> str:
        kind = self.scope_type
        return str(getattr(self, f"{kind}_id")) if kind else ""

    @property
    def scope_name(self) -> str:
        return self.scope.name if self.scope_type else ""

    def clean(self) -> None:
        kind = self.scope_type
        if not kind:
            raise ValidationError("A membership needs a school, partnership, agency or area.")
        allowed = ROLE_SCOPES.get(self.role, frozenset())
        if kind not in allowed:
            names = " or ".join(sorted(ScopeType(k).label.lower() for k in allowed))
            raise ValidationError(
                {kind: f"A {self.get_role_display().lower()} is held over a {names}."}
            )
        if (
            self.agency is not None
            and self.role == Role.POLICE_SUPERVISOR
            and self.agency.kind != Agency.Kind.POLICE_FORCE
        ):
            raise ValidationError({"agency": "A police supervisor belongs to a police force."})
