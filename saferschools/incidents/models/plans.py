"""A school's site plan: the picture its places are pinned on for the hotspot map."""

from django.conf import settings
from django.db import models

from saferschools.core.models import School


class SitePlan(models.Model):
    """The plan image a school uploaded, re-encoded without metadata and kept in the database
    beside the school's places; served only to those who work at the school."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="site_plan")
    content = models.BinaryField()
    content_type = models.CharField(max_length=30)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Site plan of {self.school}"
