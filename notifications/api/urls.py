from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path("notifications/unread-count/", views.NotificationUnreadCountView.as_view(), name="notification-unread-count"),
    path("notifications/read-all/", views.NotificationReadAllView.as_view(), name="notification-read-all"),
    path("notifications/preferences/", views.PreferenceView.as_view(), name="notification-preferences"),
    path("notifications/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification-read"),
    path("webhooks/", views.WebhookEndpointListView.as_view(), name="webhook-list"),
    path("webhooks/dead-letters/", views.DeadLetterListView.as_view(), name="webhook-dead-letter-list"),
    path("webhooks/dead-letters/<int:pk>/replay/", views.DeadLetterReplayView.as_view(),
         name="webhook-dead-letter-replay"),
    path("webhooks/<int:pk>/", views.WebhookEndpointDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<int:pk>/rotate-secret/", views.WebhookEndpointRotateSecretView.as_view(),
         name="webhook-rotate-secret"),
    path("webhooks/<int:pk>/test/", views.WebhookEndpointTestView.as_view(), name="webhook-test"),
]
