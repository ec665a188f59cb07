"""The operator's administration site. Every change made here is audited like any other."""

from django.contrib import admin

from .audit import audit_record
from .models import Agency, Area, AuditAction, AuditEvent, Partnership, PartnershipSchool, School


class AuditedAdmin(admin.ModelAdmin):
    """Writes an audit event for each object added, changed or deleted through the admin."""

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
