from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("orders", views.OrderViewSet, basename="order")

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="cart"),
    path("cart/lines/", views.CartLinesView.as_view(), name="cart-lines"),
    path("cart/lines/<int:pk>/", views.CartLineView.as_view(), name="cart-line"),
    path("checkout/", views.CheckoutView.as_view(), name="checkout"),
    *router.urls,
]
