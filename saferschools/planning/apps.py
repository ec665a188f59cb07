from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "saferschools.planning"
    label = "planning"
    verbose_name = "Needs, protocol and work-plan"
