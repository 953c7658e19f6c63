from django.urls import path

from . import views

urlpatterns = [
    path("companies/<int:company_id>/statements/", views.StatementListView.as_view(), name="statement-list"),
    path("companies/<int:company_id>/statements/<int:pk>/", views.StatementDetailView.as_view(),
         name="statement-detail"),
    path("companies/<int:company_id>/statements/<int:pk>/entries/", views.StatementEntryListView.as_view(),
         name="statement-entry-list"),
    path("companies/<int:company_id>/statements/<int:pk>/entries/<int:entry_id>/assign/",
         views.StatementEntryAssignView.as_view(), name="statement-entry-assign"),
    path("companies/<int:company_id>/statements/<int:pk>/entries/<int:entry_id>/dismiss/",
         views.StatementEntryDismissView.as_view(), name="statement-entry-dismiss"),
]
