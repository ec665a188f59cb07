from . import decision_api, police_api

urlpatterns = [
    *decision_api.urlpatterns,
    *police_api.urlpatterns,
]
