from django.urls import path

from . import hotspot_views, views

urlpatterns = [
    path("schools/<int:urn>/incidents/", views.incident_list, name="incidents-list"),
    path("schools/<int:urn>/incidents/new/", views.incident_record, name="incidents-record"),
    path("incidents/<uuid:incident_id>/", views.incident_detail, name="incidents-incident"),
    path("incidents/<uuid:incident_id>/edit/", views.incident_edit, name="incidents-edit"),
    path("incidents/<uuid:incident_id>/history/", views.incident_history, name="incidents-history"),
    path("schools/<int:urn>/places/", views.place_list, name="incidents-places"),
    path(
        "areas/<uuid:area_id>/neighbourhood-crime/",
        views.crime_settings,
        name="incidents-crime-settings",
    ),
    path("schools/<int:urn>/hotspots/", hotspot_views.hotspots, name="incidents-hotspots"),
    path("schools/<int:urn>/site-plan/", hotspot_views.site_plan, name="incidents-site-plan"),
    path(
        "schools/<int:urn>/site-plan/image/",
        hotspot_views.site_plan_image,
        name="incidents-site-plan-image",
    ),
]
