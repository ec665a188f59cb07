from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "saferschools.reporting"
    verbose_name = "Pupils' reports"
