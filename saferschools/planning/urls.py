from . import (
    needs_views,
    prioritisation_views,
    protocol_views,
    stage_views,
    steering_views,
    workplan_views,
)

urlpatterns = [
    *needs_views.urlpatterns,
    *prioritisation_views.urlpatterns,
    *protocol_views.urlpatterns,
    *steering_views.urlpatterns,
    *workplan_views.urlpatterns,
    *stage_views.urlpatterns,
]
