from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "credstack.awards"
    label = "awards"
    verbose_name = "Awards and credentials"

    def ready(self) -> None:
        # Receivers: re-sign status lists when a key changes; issue on an assessment pass (when that app is there).
        from credstack.awards import receivers

        receivers.connect()
