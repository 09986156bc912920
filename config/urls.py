from django.contrib import admin
from django.urls import include, path

from payments.refunds.views import coach_inbox as refund_coach_inbox

admin.site.site_header = "Coaching Platform admin"
admin.site.site_title = "Coaching Platform"
admin.site.index_title = "Run your coaching business"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("webinars/", include("webinars.urls")),
    path("", include("invoicing.urls")),  # /payments/invoices/..., /coach/payouts/self-billing/
    path("payments/", include("payments.urls")),
    path("coach/payouts/", include("payments.payouts.urls")),
    path("coach/refunds/", refund_coach_inbox, name="coach_refunds"),
    path("notifications/", include("notifications.urls")),
    path("", include("bookings.urls")),
    path("", include("reviews.urls")),  # /coaches/<id>/reviews/, /reviews/<id>/...
    path("", include("discovery.urls")),  # /coaches/<slug>/, /search/
    path("", include("launch.urls")),  # /legal/<slug>/, /leads/
    path("", include("core.urls")),
]
