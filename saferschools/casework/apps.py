from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "saferschools.casework"
    label = "casework"
    verbose_name = "Pupils and casework"
