from django.urls import path

from . import views

urlpatterns = [
    path("schools/<int:urn>/incidents/", views.incident_list, name="incidents-list"),
    path("schools/<int:urn>/incidents/new/", views.incident_record, name="incidents-record"),
    path("incidents/<uuid:incident_id>/", views.incident_detail, name="incidents-incident"),
    path("incidents/<uuid:incident_id>/edit/", views.incident_edit, name="incidents-edit"),
    path(
        "incidents/<uuid:incident_id>/history/", views.incident_history, name="incidents-history"
    ),
    path("schools/<int:urn>/places/", views.place_list, name="incidents-places"),
]
