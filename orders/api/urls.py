from django.urls import path
from rest_framework.routers import SimpleRouter

from . import document_views, preview_views, rfq_views, views

router = SimpleRouter()
router.register("orders", views.OrderViewSet, basename="order")
router.register("rfqs", rfq_views.RfqViewSet, basename="rfq")
router.register("quotes", rfq_views.QuoteViewSet, basename="quote")

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="cart"),
    path("cart/lines/", views.CartLinesView.as_view(), name="cart-lines"),
    path("cart/lines/<int:pk>/", views.CartLineView.as_view(), name="cart-line"),
    path("checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("checkout/preview/", preview_views.CheckoutPreviewView.as_view(), name="checkout-preview"),
    path("orders/<int:pk>/documents/<str:kind>/", document_views.OrderDocumentView.as_view(),
         name="order-document"),
    path("orders/<int:pk>/messages/", rfq_views.OrderMessagesView.as_view(), name="order-messages"),
    *router.urls,
]
