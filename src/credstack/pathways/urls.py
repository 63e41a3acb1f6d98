from django.urls import path

from credstack.pathways import views

app_name = "pathways"

urlpatterns = [
    path("stacks/", views.stack_list, name="list"),
    path("stacks/<slug:org_slug>/<slug:slug>/", views.detail, name="detail"),
    path("stacks/<slug:org_slug>/<slug:slug>/clr.json", views.clr, name="clr"),
    path("transcript/", views.transcript, name="transcript"),
    path("transcript/transcript.pdf", views.transcript_pdf, name="transcript_pdf"),
    path("transcript/<slug:org_slug>/clr.json", views.transcript_clr, name="transcript_clr"),
    path(
        "manage/<slug:org_slug>/credentials/<uuid:public_id>/transcript/",
        views.org_transcript,
        name="org_transcript",
    ),
    path("manage/<slug:org_slug>/stacks/", views.manage, name="manage"),
    path("manage/<slug:org_slug>/stacks/new/", views.new, name="new"),
    path("manage/<slug:org_slug>/stacks/<slug:slug>/edit/", views.edit, name="edit"),
    path("manage/<slug:org_slug>/stacks/<slug:slug>/publish/", views.publish, name="publish"),
    path("manage/<slug:org_slug>/stacks/<slug:slug>/retire/", views.retire, name="retire"),
    path("manage/<slug:org_slug>/stacks/<slug:slug>/delete/", views.delete, name="delete"),
]
