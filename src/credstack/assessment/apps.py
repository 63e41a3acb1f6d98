from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "credstack.assessment"
    label = "assessment"
    verbose_name = "Evidence and assessment"
