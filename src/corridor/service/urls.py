"""URL map: the API under /api/v1, the public log under /log/, the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.urls.converters import StringConverter

from .api.api import api
from .ledger import views as log_views
from .permits import views as permit_views
from .web import account, briefings, manifest_template, offline_submit, signing
from .web import amend as plan_amend
from .web import calendar as calendar_views
from .web import checkpoint_app as checkpoint_app_views
from .web import deadline as deadline_views
from .web import documents as web_documents
from .web import errors as web_errors
from .web import permits as web_permits
from .web import views as web
from .web.checkpoint import checkpoint_screen, checkpoints, inspect
from .web.plan_list import plans
from .web.request_views import new_request
from .web.signatures import party_signatures


class Text(StringConverter):
    """A path segment without NUL: no id, token or file name holds one, and PostgreSQL's text (or a file's
    path) cannot even be compared with one, so such a URL is no page (404), never a query."""

    regex = "[^/\x00]+"


register_converter(Text, "text")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("log/checkpoint", log_views.checkpoint),
    path("log/checkpoint.<int:size>", log_views.checkpoint_at),
    path("log/checkpoints", log_views.checkpoints),
    path("log/trust.txt", log_views.trust),
    path("log/permits/revoked.txt", permit_views.revoked, name="permits-revoked"),
    path("log/tile/<path:tile_path>", log_views.tile),
    path("log/proof/<int:index>", log_views.proof),
    path("log/entry/<int:index>", log_views.entry),
    path("", web.public, name="public"),
    path("transparency/log", web.log_page, name="log-page"),
    path("home", web.home, name="home"),
    path("plans", plans, name="plans"),
    path("plans/new", new_request, name="new-request"),
    path("plans/<text:plan_id>", web.plan, name="plan"),
    path("plans/<text:plan_id>/go", web.go_board, name="go-board"),
    # the picture before the page: a permit id has dots
    path("plans/<text:plan_id>/permits/<text:permit_id>.svg", web_permits.permit_qr, name="permit-qr"),
    path("plans/<text:plan_id>/permits/<text:permit_id>", web_permits.permit_page, name="permit"),
    path("checkpoints", checkpoints, name="checkpoints"),
    path("checkpoints/<text:checkpoint_id>", checkpoint_screen, name="checkpoint"),
    path("checkpoints/<text:checkpoint_id>/inspect", inspect, name="checkpoint-inspect"),
    path("checkpoint-app/", checkpoint_app_views.app, name="checkpoint-app"),
    path("checkpoint-app/sw.js", checkpoint_app_views.service_worker, name="checkpoint-app-sw"),
    path("checkpoint-app/manifest.webmanifest", checkpoint_app_views.manifest, name="checkpoint-app-manifest"),
    path("checkpoint-app/data.json", checkpoint_app_views.data, name="checkpoint-app-data"),
    path("checkpoint-app/submit", offline_submit.submit, name="checkpoint-app-submit"),
    path("incidents", web.incidents, name="incidents"),
    path("briefings/", briefings.briefings, name="briefings"),
    path("briefings/briefing.<text:fmt>", briefings.download, name="briefing-download"),
    path("parties/<text:party>/signatures", party_signatures, name="party-signatures"),
    path("plans/<text:plan_id>/act/<text:kind>", web.act, name="act"),
    path("plans/<text:plan_id>/deadline", deadline_views.set_deadline, name="plan-deadline"),
    path("plans/<text:plan_id>/documents", web_documents.upload, name="plan-document-upload"),
    path("plans/<text:plan_id>/documents/<text:sha256>", web_documents.download, name="plan-document"),
    path("manifest/template.<text:fmt>", manifest_template.download, name="manifest-template"),
    path("account", account.account, name="account"),
    path("account/calendar", calendar_views.make_feed, name="calendar-make"),
    path("account/calendar/revoke", calendar_views.revoke_feed, name="calendar-revoke"),
    path("calendar/<text:token>.ics", calendar_views.feed, name="calendar-feed"),
    path("account/passkeys/options", account.passkey_options, name="passkey-options"),
    path("account/passkeys/register", account.passkey_register, name="passkey-register"),
    path("parties/<text:party>/members", account.members, name="members"),
    path("sign/<text:token>", signing.complete, name="sign-complete"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("plans/<text:plan_id>/amend", plan_amend.amend, name="plan-amend"),
]

handler403 = web_errors.forbidden
handler404 = web_errors.not_found
handler500 = web_errors.server_error

