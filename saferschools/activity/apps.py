from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "saferschools.activity"
    verbose_name = "Officers' activity and patrol plans"
