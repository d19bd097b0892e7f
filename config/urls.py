from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Human Pipeline administration")
admin.site.site_title = "Human Pipeline"
admin.site.index_title = _("Taxonomy, questions and assessments")

handler400 = "common.views.bad_request"
# A database that stops answering outside a view (the session middleware, an error page) is a 503, not a 500.
handler500 = "common.views.server_error"

urlpatterns = [
    path("", include("common.urls")),
    path("", include("taxonomy.urls")),
    path("", include("organizations.urls")),
    path("", include("assessments.urls")),
    path("", include("responses.urls")),
    path("", include("actions.urls")),
    path("", include("reports.urls")),
    path("", include("api.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("accounts.allauth_urls")),
    # set_language: the switcher on every page posts here; the choice is kept in a session cookie.
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
