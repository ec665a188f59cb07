from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "saferschools.incidents"
    verbose_name = "Incidents, places and neighbourhood crime"
