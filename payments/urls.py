from django.urls import path

from payments import views
from payments.payouts.views import connect_webhook

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
]
