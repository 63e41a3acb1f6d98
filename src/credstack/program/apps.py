from django.apps import AppConfig


class ProgramConfig(AppConfig):
    name = "credstack.program"
    label = "program"
    verbose_name = "Program overview"
