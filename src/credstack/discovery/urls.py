from django.urls import path

from credstack.discovery import views

app_name = "discovery"

urlpatterns = [
    path("learning/profile/", views.profile, name="profile"),
]
