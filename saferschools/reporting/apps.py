from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "saferschools.reporting"
    verbose_name = "Pupils' reports"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the start-up checks
