from django.urls import path

from . import views

urlpatterns = [
    path("schools/<int:urn>/pupils/", views.pupil_list, name="casework-pupils"),
    path("schools/<int:urn>/pupils/import/", views.pupil_import, name="casework-import-pupils"),
    path("pupils/<uuid:pupil_id>/", views.pupil_detail, name="casework-pupil"),
]
