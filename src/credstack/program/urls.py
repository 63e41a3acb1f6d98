from django.urls import path

from credstack.program import views

app_name = "program"

urlpatterns = [
    path("manage/<slug:org_slug>/program/", views.overview, name="overview"),
]
