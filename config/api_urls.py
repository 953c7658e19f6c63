from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include("accounts.api.urls")),
    path("", include("fx.api.urls")),
    path("", include("marketplace.api.urls")),
    path("", include("marketplace.api.imports")),
    path("", include("notifications.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("reviews.api.urls")),
    path("", include("statements.api.urls")),
    path("", include("trade.api.urls")),
    path("", include("trust.api.urls")),
]
