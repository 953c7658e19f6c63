from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data on top of every app: it may import any of them and none imports it."""

    name = "demo"
