from django.urls import path

from . import views

urlpatterns = [
    path("sign-in/", views.sign_in, name="accounts-sign-in"),
    path("two-factor/", views.two_factor, name="accounts-two-factor"),
    path("sign-out/", views.sign_out, name="accounts-sign-out"),
]
