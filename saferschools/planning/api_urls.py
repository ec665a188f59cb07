from . import partnership_api, prioritisation_api, protocol_api, workplan_api

urlpatterns = [
    *prioritisation_api.urlpatterns,
    *partnership_api.urlpatterns,
    *protocol_api.urlpatterns,
    *workplan_api.urlpatterns,
]
