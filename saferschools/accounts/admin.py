from django.contrib import admin

from saferschools.core.admin import AuditedAdmin

from .models import Membership, User


class MembershipInline(admin.TabularInline):
    """Shown for reference; roles are given and taken on the area's page, where the policy on
    who may give which role is applied."""

    model = Membership
    extra = 0
    fields = readonly_fields = ("role", "school", "partnership", "agency", "area")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(AuditedAdmin):
    list_display = ["email", "full_name", "is_active", "locked_until"]
    search_fields = ["email", "full_name"]
    fields = ["email", "full_name", "is_active", "is_staff", "locked_until", "failed_sign_ins"]
    readonly_fields = ["failed_sign_ins"]
    inlines = [MembershipInline]
