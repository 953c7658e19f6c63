from django.urls import path

from . import views

urlpatterns = [
    path("fx-rates/", views.FxRateListView.as_view(), name="fx-rate-list"),
    path("fx-rates/convert/", views.FxConvertView.as_view(), name="fx-convert"),
    path("fx-rates/freshness/", views.FxFreshnessView.as_view(), name="fx-freshness"),
]
