"""The operator's administration site, for accounts with "is staff".

Signing in goes through the product's own sign-in (lock-out, audit, two factors); every change
made here is audited like any other. Nothing that holds secrets (authenticator keys) or audit
history can be changed here.
"""

from django.contrib import admin
from django.contrib.auth.models import Group
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .audit import audit_record
from .models import Agency, Area, AuditAction, AuditEvent, Partnership, PartnershipSchool, School


def _product_sign_in(request: HttpRequest, extra_context=None) -> HttpResponse:
    target = request.GET.get("next") or reverse("admin:index")
    return redirect(f"{reverse('accounts-sign-in')}?{urlencode({'next': target})}")


admin.site.login = _product_sign_in  # type: ignore[method-assign]
admin.site.site_header = "SaferSchools operator"
admin.site.site_title = "SaferSchools operator"


class AuditedAdmin(admin.ModelAdmin):
    """Writes an audit event for each object added, changed or deleted through the admin,
    inline rows included."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            source="admin",
            obj=obj,
            detail={"fields": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action=AuditAction.DELETE, source="admin", obj=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit_record(actor=request.user, action=AuditAction.DELETE, source="admin", obj=obj)
            obj.delete()
        for obj in instances:
            adding = obj._state.adding
            obj.save()
            audit_record(
                actor=request.user,
                action=AuditAction.CREATE if adding else AuditAction.UPDATE,
                source="admin",
                obj=obj,
            )
        formset.save_m2m()


@admin.register(Area)
class AreaAdmin(AuditedAdmin):
    search_fields = ["name"]


class PartnershipSchoolInline(admin.TabularInline):
    model = PartnershipSchool
    autocomplete_fields = ["school"]
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(AuditedAdmin):
    list_display = ["name", "area", "stage", "started_on"]
    list_filter = ["area", "stage"]
    search_fields = ["name"]
    inlines = [PartnershipSchoolInline]


@admin.register(School)
class SchoolAdmin(AuditedAdmin):
    list_display = ["name", "urn", "phase", "local_authority", "is_open"]
    list_filter = ["area", "phase", "is_open"]
    search_fields = ["name", "urn", "postcode"]


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ["name", "kind", "area"]
    list_filter = ["area", "kind"]
    search_fields = ["name"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: audit events can be searched here and never added, changed or deleted."""

    list_display = ["seq", "at", "actor_email", "action", "object_type", "object_id", "source"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_email", "object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _unregister_if_registered(model) -> None:
    if admin.site.is_registered(model):
        admin.site.unregister(model)


# Authenticator keys are second factors: an operator must never be able to read or copy one.
# Groups are unused (access follows memberships), and task results are the worker's own.
def unregister_unsafe_models() -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tasks_db.models import DBTaskResult

    for model in (TOTPDevice, Group, DBTaskResult):
        _unregister_if_registered(model)
