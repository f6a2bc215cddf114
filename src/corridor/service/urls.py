"""URL map: the API under /api/v1, the public log under /log/, the admin."""

from django.contrib import admin
from django.urls import path

from .api.api import api
from .ledger import views as log_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("log/checkpoint", log_views.checkpoint),
    path("log/trust.txt", log_views.trust),
    path("log/tile/<path:tile_path>", log_views.tile),
    path("log/proof/<int:index>", log_views.proof),
    path("log/entry/<int:index>", log_views.entry),
]
