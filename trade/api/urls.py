from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("shipping-zones", views.ShippingZoneViewSet, basename="shipping-zone")

urlpatterns = [
    path("landed-cost/", views.LandedCostView.as_view(), name="landed-cost"),
    *router.urls,
]
