from django.urls import path

from launch import views

app_name = "launch"

urlpatterns = [
    path("legal/<slug:slug>/", views.legal_page, name="legal"),
    path("leads/", views.lead_create, name="lead_create"),
    path("leads/confirm/<str:token>/", views.lead_confirm, name="lead_confirm"),
]
