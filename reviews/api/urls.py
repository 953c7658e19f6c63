from django.urls import path

from . import views

urlpatterns = [
    path("orders/<int:pk>/review/", views.OrderReviewView.as_view(), name="order-review"),
    path("reviews/<int:pk>/reply/", views.ReviewReplyView.as_view(), name="review-reply"),
    path("reviews/<int:pk>/report/", views.ReviewReportView.as_view(), name="review-report"),
    path("reviews/<int:pk>/hide/", views.ReviewHideView.as_view(), name="review-hide"),
    path("reviews/<int:pk>/unhide/", views.ReviewUnhideView.as_view(), name="review-unhide"),
    path("reviews/<int:pk>/dismiss-reports/", views.ReviewDismissReportsView.as_view(),
         name="review-dismiss-reports"),
    path("sellers/<int:pk>/reviews/", views.SellerReviewsView.as_view(), name="seller-reviews"),
    path("review-reports/", views.ReviewReportListView.as_view(), name="review-report-list"),
]
