from django.urls import path

from invoicing import views

app_name = "invoicing"

urlpatterns = [
    path("payments/invoices/", views.documents_list, name="list"),
    path("payments/invoices/billing-details/", views.billing_details, name="billing_details"),
    path("payments/invoices/<str:number>.pdf", views.document_pdf, name="pdf"),
    path("payments/invoices/<str:number>/contest/", views.document_contest, name="contest"),
    path("coach/payouts/self-billing/", views.self_billing, name="self_billing"),
    path(
        "coach/payouts/self-billing/accept/",
        views.self_billing_accept,
        name="self_billing_accept",
    ),
]
