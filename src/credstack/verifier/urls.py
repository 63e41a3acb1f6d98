from django.urls import path

from credstack.verifier import views

app_name = "verifier"

urlpatterns = [
    path("verify", views.verify_page, name="verify"),
]
