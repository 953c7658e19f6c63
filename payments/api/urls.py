from django.urls import path

from . import views

urlpatterns = [
    path("companies/<int:company_id>/bank-accounts/", views.BankAccountListView.as_view(), name="bank-account-list"),
    path("companies/<int:company_id>/bank-accounts/<int:pk>/", views.BankAccountDetailView.as_view(),
         name="bank-account-detail"),
]
