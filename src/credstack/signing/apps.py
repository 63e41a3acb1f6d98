from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "credstack.signing"
    label = "signing"
    verbose_name = "Signing keys"
