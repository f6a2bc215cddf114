"""URL map: the API under /api/v1, the public log under /log/, the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .api.api import api
from .ledger import views as log_views
from .web import account, briefings, signing
from .web import views as web
from .web.plan_list import plans
from .web.request_views import new_request
from .web.signatures import party_signatures

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("log/checkpoint", log_views.checkpoint),
    path("log/checkpoint.<int:size>", log_views.checkpoint_at),
    path("log/checkpoints", log_views.checkpoints),
    path("log/trust.txt", log_views.trust),
    path("log/tile/<path:tile_path>", log_views.tile),
    path("log/proof/<int:index>", log_views.proof),
    path("log/entry/<int:index>", log_views.entry),
    path("", web.public, name="public"),
    path("transparency/log", web.log_page, name="log-page"),
    path("home", web.home, name="home"),
    path("plans", plans, name="plans"),
    path("plans/new", new_request, name="new-request"),
    path("plans/<str:plan_id>", web.plan, name="plan"),
    path("plans/<str:plan_id>/go", web.go_board, name="go-board"),
    path("checkpoints/<str:checkpoint_id>", web.checkpoint_screen, name="checkpoint"),
    path("incidents", web.incidents, name="incidents"),
    path("briefings/", briefings.briefings, name="briefings"),
    path("briefings/briefing.<str:fmt>", briefings.download, name="briefing-download"),
    path("parties/<str:party>/signatures", party_signatures, name="party-signatures"),
    path("plans/<str:plan_id>/act/<str:kind>", web.act, name="act"),
    path("account", account.account, name="account"),
    path("account/passkeys/options", account.passkey_options, name="passkey-options"),
    path("account/passkeys/register", account.passkey_register, name="passkey-register"),
    path("parties/<str:party>/members", account.members, name="members"),
    path("sign/<str:token>", signing.complete, name="sign-complete"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
]
