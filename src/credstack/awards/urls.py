from django.urls import path

from credstack.awards import views

app_name = "awards"

urlpatterns = [
    path("credentials/<uuid:public_id>", views.credential_page, name="credential"),
    path("credentials/<uuid:public_id>/credential.json", views.download_json, name="download_json"),
    path("credentials/<uuid:public_id>/badge.png", views.download_png, name="download_png"),
    path("credentials/<uuid:public_id>/badge.svg", views.download_svg, name="download_svg"),
    path("credentials/<uuid:public_id>/evidence/<int:number>", views.evidence_page, name="evidence"),
    path("credentials/<uuid:public_id>/evidence/<int:number>/file", views.evidence_file, name="evidence_file"),
    path("credentials/<uuid:public_id>/claim/<str:token>", views.claim, name="claim"),
    path("credentials/<uuid:public_id>/claim/<str:token>/account", views.claim_account, name="claim_account"),
    path("issuers/<slug:org_slug>/status/<int:number>/<str:purpose>", views.status_list, name="status_list"),
    path("wallet/", views.wallet, name="wallet"),
    path("wallet/settings/", views.wallet_settings, name="wallet_settings"),
    path("wallet/confirm-email/", views.wallet_send_confirmation, name="send_confirmation"),
    path("wallet/confirm-email/<str:token>", views.confirm_email, name="confirm_email"),
    path("wallet/<uuid:public_id>/evidence/", views.wallet_evidence, name="wallet_evidence"),
    path("wallet/<uuid:public_id>/presentation/", views.wallet_presentation, name="wallet_presentation"),
    path("manage/<slug:org_slug>/credentials/", views.issued, name="issued"),
    path("manage/<slug:org_slug>/credentials/award/", views.award, name="award"),
    path("manage/<slug:org_slug>/credentials/<uuid:public_id>/", views.manage_credential, name="manage_credential"),
    path("manage/<slug:org_slug>/bulk/", views.bulk_upload, name="bulk_upload"),
    path("manage/<slug:org_slug>/bulk/template.csv", views.bulk_template, name="bulk_template"),
    path("manage/<slug:org_slug>/bulk/<int:job_id>/", views.bulk_detail, name="bulk_detail"),
    path("manage/<slug:org_slug>/bulk/<int:job_id>/progress", views.bulk_progress, name="bulk_progress"),
    path("manage/<slug:org_slug>/bulk/<int:job_id>/action", views.bulk_action, name="bulk_action"),
]
