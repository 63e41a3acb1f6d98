from django.apps import AppConfig


class VerifierConfig(AppConfig):
    name = "credstack.verifier"
    label = "verifier"
    verbose_name = "Verifier"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The VC API routes live at the site root (the W3C suites call <base>/credentials/verify); the
        # main API's OpenAPI document (/api/docs) shows them there.
        from credstack.api.api import api
        from credstack.verifier.api import document_in

        document_in(api)
