from . import assessment_api, chronology_api, referral_api

urlpatterns = [
    *assessment_api.urlpatterns,
    *referral_api.urlpatterns,
    *chronology_api.urlpatterns,
]
