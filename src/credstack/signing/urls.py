from django.urls import path

from credstack.signing import views

app_name = "signing"

urlpatterns = [
    path("issuers/<slug:org_slug>/did.json", views.did_json, name="did_document"),
    path("manage/<slug:org_slug>/keys/", views.keys_page, name="keys"),
    path("manage/<slug:org_slug>/keys/rotate/", views.rotate, name="rotate"),
    path("manage/<slug:org_slug>/keys/<int:key_id>/retire/", views.revoke, name="revoke"),
]
