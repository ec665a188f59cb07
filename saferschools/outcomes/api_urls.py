from . import annual_report_api, evaluation_api, indicator_api, survey_api

urlpatterns = [
    *indicator_api.urlpatterns,
    *survey_api.urlpatterns,
    *evaluation_api.urlpatterns,
    *annual_report_api.urlpatterns,
]
