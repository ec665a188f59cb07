from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "saferschools.core"
    label = "core"
    verbose_name = "Areas, schools and partnerships"
