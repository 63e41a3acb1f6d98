from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "credstack.core"
    label = "core"
    verbose_name = "Platform"

    def ready(self) -> None:
        # Bind shared tasks to the configured Celery app (not imported by credstack/__init__ so that
        # the credential CLI never pays for Celery or Django).
        import credstack.celery  # noqa: F401
