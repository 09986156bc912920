from django.urls import path

from payments import views
from payments.payouts.views import connect_webhook
from payments.refunds import views as refund_views

app_name = "payments"

urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("stripe/connect-webhook/", connect_webhook, name="stripe_connect_webhook"),
    path("confirm/", views.confirm, name="confirm"),
    path("methods/", views.methods, name="methods"),
    path("methods/list/", views.methods_list, name="methods_list"),
    path("methods/setup/", views.methods_setup, name="methods_setup"),
    path("methods/save/", views.methods_save, name="methods_save"),
    path("methods/<str:payment_method_id>/delete/", views.methods_delete, name="methods_delete"),
    path("methods/<str:payment_method_id>/default/", views.methods_default, name="methods_default"),
    path("status/<str:payment_intent_id>/", views.status, name="status"),
    path("refund-requests/", refund_views.create, name="refund_request_create"),
    path("refund-requests/new/", refund_views.new, name="refund_request_new"),
    path(
        "refund-requests/<int:request_id>/",
        refund_views.detail,
        name="refund_request_detail",
    ),
    path(
        "refund-requests/<int:request_id>/approve/",
        refund_views.approve,
        name="refund_request_approve",
    ),
    path(
        "refund-requests/<int:request_id>/decline/",
        refund_views.decline,
        name="refund_request_decline",
    ),
    path(
        "refund-requests/<int:request_id>/escalate/",
        refund_views.escalate,
        name="refund_request_escalate",
    ),
    path(
        "refund-requests/<int:request_id>/messages/",
        refund_views.message,
        name="refund_request_message",
    ),
]
