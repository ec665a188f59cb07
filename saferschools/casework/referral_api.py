"""Placeholder until this capability is built."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
