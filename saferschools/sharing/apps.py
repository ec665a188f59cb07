from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "saferschools.sharing"
    label = "sharing"
    verbose_name = "Information sharing"
