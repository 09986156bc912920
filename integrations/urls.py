from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("coach/integrations/", views.coach_integrations, name="coach_integrations"),
    path(
        "integrations/calendly/webhook/<str:webhook_token>/",
        views.calendly_webhook,
        name="calendly_webhook",
    ),
]
