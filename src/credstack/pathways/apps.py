from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "credstack.pathways"
    label = "pathways"
    verbose_name = "Stacks (pathways)"

    def ready(self) -> None:
        # Every issued credential re-evaluates its learner's stacks.
        from credstack.pathways import receivers

        receivers.connect()
