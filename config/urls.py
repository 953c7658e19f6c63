import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from core.media import media_serve
from core.views import api_not_found, healthz, metrics_view, readyz

handler500 = "core.views.server_error"
handler404 = "core.views.page_not_found"
handler403 = "core.views.permission_denied"
handler400 = "core.views.bad_request"

urlpatterns = [
    # Probes and the metrics scrape: no language prefix, no sign-in (README "Health, metrics and logs").
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path(settings.ADMIN_URL_PATH, admin.site.urls),
    path("api/v1/", include(("config.api_urls", "api"), namespace="api")),
    # Unknown API addresses get a JSON 404. Only paths ending in a slash match, so a missing slash is
    # still redirected (APPEND_SLASH) to the endpoint that has it.
    re_path(r"^api/v1/(?:.*/)?$", api_not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("frontend.urls")),
]
if settings.MEDIA_SERVED_BY_DJANGO and settings.MEDIA_URL.startswith("/"):
    urlpatterns += [re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", media_serve, name="media")]
