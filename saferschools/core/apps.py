from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "saferschools.core"
    label = "core"
    verbose_name = "Areas, schools and partnerships"

    def ready(self) -> None:
        # Runs after every app's admin module has registered its models.
        from .admin import unregister_unsafe_models

        unregister_unsafe_models()
