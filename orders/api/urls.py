from django.urls import path
from rest_framework.routers import SimpleRouter

from . import document_views, inbox_views, payment_terms_views, preview_views, rfq_views, views

router = SimpleRouter()
router.register("orders", views.OrderViewSet, basename="order")
router.register("rfqs", rfq_views.RfqViewSet, basename="rfq")
router.register("quotes", rfq_views.QuoteViewSet, basename="quote")

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="cart"),
    path("inbox/", inbox_views.InboxView.as_view(), name="inbox"),
    path("cart/lines/", views.CartLinesView.as_view(), name="cart-lines"),
    path("cart/lines/<int:pk>/", views.CartLineView.as_view(), name="cart-line"),
    path("checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("checkout/preview/", preview_views.CheckoutPreviewView.as_view(), name="checkout-preview"),
    path("orders/<int:pk>/documents/<str:kind>/", document_views.OrderDocumentView.as_view(),
         name="order-document"),
    path("orders/<int:pk>/messages/", rfq_views.OrderMessagesView.as_view(), name="order-messages"),
    path("companies/<int:company_id>/payment-terms/", payment_terms_views.PaymentTermListView.as_view(),
         name="payment-term-list"),
    path("companies/<int:company_id>/payment-terms/<int:pk>/", payment_terms_views.PaymentTermDetailView.as_view(),
         name="payment-term-detail"),
    path("companies/<int:company_id>/trusted-buyers/", payment_terms_views.TrustedBuyerListView.as_view(),
         name="trusted-buyer-list"),
    path("companies/<int:company_id>/trusted-buyers/<int:buyer_id>/",
         payment_terms_views.TrustedBuyerDetailView.as_view(), name="trusted-buyer-detail"),
    *router.urls,
]
