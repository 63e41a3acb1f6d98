from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve as serve_file

from credstack.api.api import api
from credstack.core import views as core_views
from credstack.verifier.api import vc_api

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.health, name="health"),
    path("accounts/", include("credstack.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("credstack.catalog.urls")),
    path("", include("credstack.organizations.urls")),
    path("", include("credstack.verifier.urls")),
    path("", vc_api.urls),  # W3C VC API at the site root: /credentials/verify, /presentations/verify
    path("", include("credstack.assessment.urls")),
    path("", include("credstack.signing.urls")),
    path("", include("credstack.awards.urls")),
    path("", include("credstack.pathways.urls")),
    path("", include("credstack.program.urls")),
    path("", include("credstack.discovery.urls")),
    # Public images (issuer logos, badge images) from the local media folder; evidence files are
    # never served from here (they go through permission-checked views).
    path("media/issuers/<path:path>", serve_file, {"document_root": settings.MEDIA_ROOT / "issuers"}),
    path("media/achievements/<path:path>", serve_file, {"document_root": settings.MEDIA_ROOT / "achievements"}),
]

handler404 = "credstack.core.views.not_found"
handler500 = "credstack.core.views.server_error"
