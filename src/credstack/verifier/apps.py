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
        from credstack.awards.access import register_evidence_access
        from credstack.verifier import owncache
        from credstack.verifier.api import document_in
        from credstack.verifier.sharing import shared_evidence_access

        document_in(api)
        # Someone who opened an active share link may see the evidence its learner shared with it.
        register_evidence_access(shared_evidence_access)
        owncache.connect_signals()
