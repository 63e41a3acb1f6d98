from django.urls import path

from credstack.assessment import views

app_name = "assessment"

urlpatterns = [
    path("learning/", views.my_learning, name="my_learning"),
    path("learning/start/<slug:org_slug>/<slug:slug>/", views.start, name="start"),
    path("learning/submissions/<int:pk>/", views.submission_page, name="submission"),
    path("learning/submissions/<int:pk>/autosave/", views.autosave, name="autosave"),
    path("learning/submissions/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("learning/submissions/<int:pk>/uploads/", views.start_upload, name="start_upload"),
    path("learning/submissions/<int:pk>/uploads/<uuid:upload_id>/", views.upload, name="upload"),
    path("learning/submissions/<int:pk>/uploads/<uuid:upload_id>/finish/", views.finish_upload, name="finish_upload"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("review/", views.review_home, name="review_home"),
    path("review/conflicts/", views.conflicts, name="conflicts"),
    path("review/conflicts/<int:pk>/withdraw/", views.withdraw_conflict, name="withdraw_conflict"),
    path("review/<slug:org_slug>/", views.review_queue, name="queue"),
    path("review/<slug:org_slug>/<int:pk>/", views.review_submission, name="review"),
]
