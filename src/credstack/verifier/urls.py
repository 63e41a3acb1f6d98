from django.urls import path

from credstack.verifier import views

app_name = "verifier"

urlpatterns = [
    path("verify", views.verify_page, name="verify"),
    path("share/<str:token>", views.shared, name="shared"),
    path("wallet/<uuid:public_id>/share/", views.share_links, name="share_links"),
    path("wallet/<uuid:public_id>/share/<int:link_id>/withdraw", views.withdraw_share_link, name="withdraw_share_link"),
]
