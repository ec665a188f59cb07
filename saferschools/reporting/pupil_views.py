"""Being written."""
from django.http import HttpResponse


def followup(request, *args, **kwargs):
    return HttpResponse(status=501)


def followup_reply(request, *args, **kwargs):
    return HttpResponse(status=501)


def receipt_download(request, *args, **kwargs):
    return HttpResponse(status=501)


def help_page(request, *args, **kwargs):
    return HttpResponse(status=501)


def tell(request, *args, **kwargs):
    return HttpResponse(status=501)


def topic(request, *args, **kwargs):
    return HttpResponse(status=501)


