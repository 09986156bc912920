from django.conf import settings


def site(request):
    return {
        "SITE_NAME": "Coaching Platform",
        "STRIPE_JS_URL": settings.STRIPE_JS_URL,
        "STRIPE_PUBLISHABLE_KEY": settings.STRIPE_PUBLISHABLE_KEY,
        "STRIPE_LOCAL_MODE": settings.STRIPE_LOCAL_MODE,
    }
