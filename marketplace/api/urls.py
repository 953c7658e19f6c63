from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("listings", views.ListingViewSet, basename="listing")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("moderation/reports", views.ModerationReportViewSet, basename="moderation-report")

urlpatterns = [
    path("moderation/listings/", views.ModerationListingQueueView.as_view(), name="moderation-listings"),
    path("moderation/listings/bulk-approve/", views.ModerationBulkApproveView.as_view(),
         name="moderation-listings-bulk-approve"),
    *router.urls,
]
