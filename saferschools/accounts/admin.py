from django.contrib import admin

from saferschools.core.admin import AuditedAdmin

from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["school", "partnership", "agency", "area"]


@admin.register(User)
class UserAdmin(AuditedAdmin):
    list_display = ["email", "full_name", "is_active", "locked_until"]
    search_fields = ["email", "full_name"]
    fields = ["email", "full_name", "is_active", "is_staff", "locked_until", "failed_sign_ins"]
    readonly_fields = ["failed_sign_ins"]
    inlines = [MembershipInline]
