from django import forms
from django.contrib.auth.forms import SetPasswordForm as DjangoSetPasswordForm

from saferschools.core.models import Area

from .models import Role


class SignInForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        error_messages={
            "required": "Enter your e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Password",
        max_length=200,
        strip=False,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TwoFactorForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code shown in the app, for example 123456",
        max_length=12,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-5",
            }
        ),
    )


class InviteForm(forms.Form):
    """Give a person a role over a school, partnership, agency or the area itself."""

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        error_messages={
            "required": "Enter the person's e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.org",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        help_text="Kept as it is if the person already has an account",
        error_messages={"required": "Enter the person's full name"},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label="Role",
        choices=[("", "Choose…"), *Role.choices],
        error_messages={
            "required": "Select a role",
            "invalid_choice": "Select a role from the list",
        },
    )
    scope = forms.ChoiceField(
        label="Over",
        help_text="The school, partnership, agency or area the role is held over",
        error_messages={
            "required": "Select what the role is held over",
            "invalid_choice": "Select a school, partnership, agency or area from the list",
        },
    )

    def __init__(self, *args, area: Area, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.area = area
        self.scopes: dict[str, object] = {f"area:{area.pk}": area}
        groups: list[tuple[str, list[tuple[str, str]]]] = [
            ("Area", [(f"area:{area.pk}", area.name)])
        ]
        for label, kind, objects in (
            ("Partnerships", "partnership", area.partnerships.order_by("name")),
            ("Agencies", "agency", area.agencies.order_by("name")),
            ("Schools", "school", area.schools.filter(is_open=True).order_by("name")),
        ):
            options = []
            for obj in objects:
                key = f"{kind}:{obj.pk}"
                self.scopes[key] = obj
                options.append((key, str(obj.name)))
            if options:
                groups.append((label, options))
        scope_field = self.fields["scope"]
        assert isinstance(scope_field, forms.ChoiceField)
        scope_field.choices = [("", "Choose…"), *groups]

    def clean_scope(self):
        return self.scopes[self.cleaned_data["scope"]]


class SetPasswordForm(DjangoSetPasswordForm):
    """Django's set-password form with GOV.UK wording."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields[
            "new_password1"
        ].help_text = (
            "At least 12 characters. Not a common password, not all numbers, not like your e-mail."
        )
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].help_text = ""
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Confirm your new password"
