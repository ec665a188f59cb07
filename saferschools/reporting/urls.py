from django.urls import path

from . import pupil_views, views

# The pupils' pages: no account, no session, nothing recorded about who is asking.
pupil_urlpatterns = [
    path("report/followup/", pupil_views.followup, name="reporting-followup"),
    path("report/followup/reply/", pupil_views.followup_reply, name="reporting-followup-reply"),
    path("report/receipt/", pupil_views.receipt_download, name="reporting-receipt-download"),
    path("report/<int:urn>/", pupil_views.help_page, name="reporting-help"),
    path("report/<int:urn>/tell/", pupil_views.tell, name="reporting-tell"),
    path("report/<int:urn>/topics/<slug:category>/", pupil_views.topic, name="reporting-topic"),
]

# Staff: the inbox and everything done with a report.
urlpatterns = [
    *pupil_urlpatterns,
    path("reports/", views.inbox, name="reporting-inbox"),
    path("reports/export.csv", views.export, name="reporting-export"),
    path("reports/counts/", views.counts, name="reporting-counts"),
    path("reports/<uuid:report_id>/", views.report_detail, name="reporting-report"),
    path("reports/<uuid:report_id>/acknowledge/", views.acknowledge, name="reporting-acknowledge"),
    path("reports/<uuid:report_id>/assign/", views.assign, name="reporting-assign"),
    path("reports/<uuid:report_id>/reply/", views.reply, name="reporting-reply"),
    path("reports/<uuid:report_id>/note/", views.note, name="reporting-note"),
    path("reports/<uuid:report_id>/pupil/", views.link_pupil, name="reporting-link-pupil"),
    path("reports/<uuid:report_id>/close/", views.close, name="reporting-close"),
    path("reports/<uuid:report_id>/reopen/", views.reopen, name="reporting-reopen"),
    path("reports/<uuid:report_id>/photos/<int:position>/", views.photo, name="reporting-photo"),
    path("areas/<uuid:area_id>/reporting/", views.area_settings, name="reporting-settings"),
    path("areas/<uuid:area_id>/safety-topics/", views.topic_list, name="reporting-topics"),
    path(
        "areas/<uuid:area_id>/safety-topics/<slug:category>/",
        views.topic_edit,
        name="reporting-edit-topic",
    ),
]
