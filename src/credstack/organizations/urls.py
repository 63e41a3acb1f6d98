from django.urls import path

from credstack.organizations import oauth, views

app_name = "organizations"

urlpatterns = [
    path("issuers/<slug:org_slug>/", views.profile, name="profile"),
    path("issuers/<slug:org_slug>/profile.json", views.issuer_json, name="issuer_json"),
    path("manage/", views.my_organizations, name="mine"),
    path("manage/<slug:org_slug>/", views.dashboard, name="dashboard"),
    path("manage/<slug:org_slug>/profile/", views.edit_profile, name="edit_profile"),
    path("manage/<slug:org_slug>/members/add/", views.add_member, name="add_member"),
    path("manage/<slug:org_slug>/members/<int:membership_id>/remove/", views.remove_member, name="remove_member"),
    path("manage/<slug:org_slug>/api-keys/", views.create_api_key, name="create_api_key"),
    path("manage/<slug:org_slug>/api-keys/<int:key_id>/revoke/", views.revoke_api_key, name="revoke_api_key"),
    path("manage/<slug:org_slug>/oauth-clients/", views.create_oauth_client, name="create_oauth_client"),
    path(
        "manage/<slug:org_slug>/oauth-clients/<int:client_pk>/revoke/",
        views.revoke_oauth_client,
        name="revoke_oauth_client",
    ),
    path("oauth/token", oauth.token, name="oauth_token"),
    path(".well-known/oauth-authorization-server", oauth.metadata, name="oauth_metadata"),
]
