from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "saferschools.api"
    label = "api"
    verbose_name = "REST API"
