from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from saferschools.accounts.api import MeApi
from saferschools.activity.api import ActivityCreateApi, ActivitySummaryApi
from saferschools.casework.api import PupilListApi
from saferschools.core.api import SchoolListApi
from saferschools.incidents.api import CrimeNearbyApi
from saferschools.incidents.hotspot_api import HotspotListApi
from saferschools.incidents.incident_api import (
    IncidentCategoryListApi,
    IncidentDetailApi,
    IncidentListRecordApi,
    PlaceListCreateApi,
)
from saferschools.reporting.api import (
    FollowupApi,
    FollowupMessageApi,
    ReportAcknowledgeApi,
    ReportCategoryListApi,
    ReportCloseApi,
    ReportDetailApi,
    ReportListApi,
    ReportMessageApi,
    ReportNoteApi,
    ReportSubmitApi,
)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="api-schema"),
    path("me", MeApi.as_view(), name="api-me"),
    path("schools", SchoolListApi.as_view(), name="api-schools"),
    path("pupils", PupilListApi.as_view(), name="api-pupils"),
    # The officers' activity log.
    path("activities", ActivityCreateApi.as_view(), name="api-activities"),
    path("activities/summary", ActivitySummaryApi.as_view(), name="api-activity-summary"),
    # Pupils' reports: the pupil's side needs no account.
    path("report-categories", ReportCategoryListApi.as_view(), name="api-report-categories"),
    path("schools/<int:urn>/reports", ReportSubmitApi.as_view(), name="api-report-submit"),
    path("followup", FollowupApi.as_view(), name="api-followup"),
    path("followup/messages", FollowupMessageApi.as_view(), name="api-followup-messages"),
    path("reports", ReportListApi.as_view(), name="api-reports"),
    path("reports/<uuid:report_id>", ReportDetailApi.as_view(), name="api-report"),
    path(
        "reports/<uuid:report_id>/acknowledge",
        ReportAcknowledgeApi.as_view(),
        name="api-report-acknowledge",
    ),
    path(
        "reports/<uuid:report_id>/messages",
        ReportMessageApi.as_view(),
        name="api-report-messages",
    ),
    path("reports/<uuid:report_id>/notes", ReportNoteApi.as_view(), name="api-report-notes"),
    path("reports/<uuid:report_id>/close", ReportCloseApi.as_view(), name="api-report-close"),
    # The incident log and the places a school keeps.
    path("incident-categories", IncidentCategoryListApi.as_view(), name="api-incident-categories"),
    path("incidents", IncidentListRecordApi.as_view(), name="api-incidents"),
    path("incidents/<uuid:incident_id>", IncidentDetailApi.as_view(), name="api-incident"),
    path("schools/<int:urn>/places", PlaceListCreateApi.as_view(), name="api-school-places"),
    path(
        "schools/<int:urn>/crime-nearby", CrimeNearbyApi.as_view(), name="api-school-crime-nearby"
    ),
    path("schools/<int:urn>/hotspots", HotspotListApi.as_view(), name="api-school-hotspots"),
    # Casework and information sharing.
    path("", include("saferschools.casework.api_urls")),
    path("", include("saferschools.sharing.api_urls")),
    # The partnership's life: prioritisation, protocol, work-plan.
    path("", include("saferschools.planning.api_urls")),
    path("", include("saferschools.outcomes.api_urls")),
]
