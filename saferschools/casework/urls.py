from django.urls import path

from . import (
    assessment_views,
    chronology_views,
    meeting_views,
    plan_views,
    referral_views,
    search_views,
    transfer_views,
    views,
)

urlpatterns = [
    path("schools/<int:urn>/pupils/", views.pupil_list, name="casework-pupils"),
    path("schools/<int:urn>/pupils/import/", views.pupil_import, name="casework-import-pupils"),
    path("pupils/<uuid:pupil_id>/", views.pupil_detail, name="casework-pupil"),
    *search_views.urlpatterns,
    *assessment_views.urlpatterns,
    *plan_views.urlpatterns,
    *referral_views.urlpatterns,
    *meeting_views.urlpatterns,
    *chronology_views.urlpatterns,
    *transfer_views.urlpatterns,
]
