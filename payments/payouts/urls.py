from django.urls import path

from payments.payouts import views

app_name = "payouts"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("connect/", views.connect_start, name="connect"),
    path("return/", views.connect_return, name="return"),
    path("refresh/", views.connect_refresh, name="refresh"),
    path("dashboard/", views.dashboard_link, name="dashboard"),
    path("advices/<int:settlement_id>.pdf", views.advice_pdf, name="advice_pdf"),
]
