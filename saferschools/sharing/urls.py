from . import agreement_views, decision_views, disclosure_views, police_views

urlpatterns = [
    *decision_views.urlpatterns,
    *agreement_views.urlpatterns,
    *police_views.urlpatterns,
    *disclosure_views.urlpatterns,
]
