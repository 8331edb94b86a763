from django.contrib import admin
from django.urls import include, path

from fankui.accounts.views import set_language
from fankui.api import api
from fankui.core import views as core_views

admin.site.site_header = "Fankui 反馈"
admin.site.site_title = "Fankui"

urlpatterns = [
    # For load balancers and monitors: no login, no personal data (fankui.core.health).
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("open311/v2/", include("fankui.open311.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("fankui.accounts.urls")),
    path("staff/", include("fankui.cases.urls")),
    path("staff/", include("fankui.insights.urls")),
    path("staff/topics/", include("fankui.topics.urls")),
    path("staff/analysis/", include("fankui.analysis.urls")),
    path("", include("fankui.sla.urls")),
    path("staff/attachments/", include("fankui.intake.urls")),
    path("staff/audit/", include("fankui.audit.urls")),
    path("staff/desk/", include("fankui.desk.urls")),
    path("staff/imports/", include("fankui.imports.urls")),
    path("", include("fankui.notify.urls")),
    path("", include("fankui.actions.urls")),
    path("", include("fankui.privacy.urls")),
    # Partner systems' signed webhooks (docs/partners.md).
    path("", include("fankui.partners.urls")),
    # 一次一评's public page (/r/...) and the staff pages of windows and 回访 (/staff/surveys/..., docs/surveys.md).
    path("", include("fankui.surveys.urls")),
    path("", include("fankui.questionnaires.urls")),
    path("", include("fankui.portal.urls")),
]

# Error pages in the site's look and the reader's language; JSON under /api/ (fankui.errorpages).
handler400 = "fankui.errorpages.bad_request"
handler403 = "fankui.errorpages.permission_denied"
handler404 = "fankui.errorpages.page_not_found"
handler500 = "fankui.errorpages.server_error"
