from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="core-home"),
    path("notifications/", views.notifications, name="core-notifications"),
    path("schools/<int:urn>/", views.school_detail, name="core-school"),
    path("partnerships/<uuid:partnership_id>/", views.partnership_detail, name="core-partnership"),
    path("areas/<uuid:area_id>/", views.area_detail, name="core-area"),
    path("areas/<uuid:area_id>/holidays/", views.area_holidays, name="core-holidays"),
    path("accessibility/", views.accessibility, name="core-accessibility"),
    path("privacy/", views.privacy, name="core-privacy"),
    path("healthz", views.healthz, name="core-healthz"),
]
