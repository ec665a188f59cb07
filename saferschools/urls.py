from django.contrib import admin
from django.urls import include, path

from saferschools.accounts.urls import manage_urlpatterns

urlpatterns = [
    path("", include("saferschools.core.urls")),
    path("", include("saferschools.casework.urls")),
    path("", include("saferschools.reporting.urls")),
    path("", include("saferschools.incidents.urls")),
    path("", include("saferschools.activity.urls")),
    path("", include("saferschools.sharing.urls")),
    path("", include("saferschools.planning.urls")),
    path("", include("saferschools.outcomes.urls")),
    path("account/", include("saferschools.accounts.urls")),
    path("", include(manage_urlpatterns)),
    path("api/v1/", include("saferschools.api.urls")),
    path("operator/", admin.site.urls),
]

handler404 = "saferschools.core.errors.not_found"
handler500 = "saferschools.core.errors.server_error"
handler403 = "saferschools.core.errors.forbidden"
handler400 = "saferschools.core.errors.bad_request"
