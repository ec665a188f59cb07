from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "saferschools.outcomes"
    label = "outcomes"
    verbose_name = "Indicators and outcomes"
