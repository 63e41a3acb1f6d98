from django.urls import path

from credstack.catalog import views

app_name = "catalog"

urlpatterns = [
    path("catalog/", views.catalog_list, name="list"),
    path("catalog/<slug:org_slug>/<slug:slug>/", views.detail, name="detail"),
    path(
        "catalog/<slug:org_slug>/<slug:slug>/v<int:version>/achievement.json",
        views.achievement_json,
        name="achievement_json",
    ),
    path(
        "catalog/<slug:org_slug>/<slug:slug>/v<int:version>/badge.<str:ext>",
        views.artwork,
        name="artwork",
    ),
    path(
        "manage/<slug:org_slug>/microcredentials/design-preview.json",
        views.design_preview_json,
        name="design_preview",
    ),
    path("manage/<slug:org_slug>/microcredentials/new/", views.editor_new, name="new"),
    path("manage/<slug:org_slug>/microcredentials/<slug:slug>/edit/", views.editor_edit, name="edit"),
    path("manage/<slug:org_slug>/microcredentials/<slug:slug>/publish/", views.publish, name="publish"),
    path("manage/<slug:org_slug>/microcredentials/<slug:slug>/new-version/", views.new_version, name="new_version"),
    path("manage/<slug:org_slug>/microcredentials/<slug:slug>/retire/", views.retire, name="retire"),
]
