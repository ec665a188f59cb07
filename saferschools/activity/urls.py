from django.urls import path

from . import views

urlpatterns = [
    path("activity/", views.week, name="activity-week"),
    path("activity/<uuid:activity_id>/edit/", views.activity_edit, name="activity-edit"),
    path("activity/<uuid:activity_id>/delete/", views.activity_delete, name="activity-delete"),
    path("activity/plans/", views.plan_list, name="activity-plans"),
    path("activity/plans/new/", views.plan_add, name="activity-add-plan"),
    path("activity/plans/<uuid:plan_id>/edit/", views.plan_edit, name="activity-edit-plan"),
    path("activity/calendar/new/", views.calendar_new, name="activity-new-calendar"),
    path("activity/calendar/revoke/", views.calendar_revoke, name="activity-revoke-calendar"),
    path("activity/calendar/<str:token>.ics", views.calendar_feed, name="activity-calendar-feed"),
    path("activity/time-use/", views.time_use, name="activity-time-use"),
    path("activity/time-use/export/", views.time_use_export, name="activity-export-time-use"),
]
