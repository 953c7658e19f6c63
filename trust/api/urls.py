from django.urls import path

from . import views

urlpatterns = [
    path("sellers/<int:pk>/performance/", views.SellerPerformanceView.as_view(), name="seller-performance"),
]
