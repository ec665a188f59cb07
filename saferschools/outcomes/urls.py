from . import (
    annual_report_views,
    dashboard_views,
    evaluation_views,
    indicator_views,
    survey_pupil_views,
    survey_views,
)

urlpatterns = [
    *indicator_views.urlpatterns,
    *survey_views.urlpatterns,
    *survey_pupil_views.urlpatterns,
    *evaluation_views.urlpatterns,
    *dashboard_views.urlpatterns,
    *annual_report_views.urlpatterns,
]
