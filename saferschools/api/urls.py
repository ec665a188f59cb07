from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from saferschools.accounts.api import MeApi
from saferschools.casework.api import PupilListApi
from saferschools.core.api import SchoolListApi

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="api-schema"),
    path("me", MeApi.as_view(), name="api-me"),
    path("schools", SchoolListApi.as_view(), name="api-schools"),
    path("pupils", PupilListApi.as_view(), name="api-pupils"),
]
