"""Being written."""
from django.http import HttpResponse


def incident_list(request, *args, **kwargs):
    return HttpResponse(status=501)


def incident_record(request, *args, **kwargs):
    return HttpResponse(status=501)


def incident_detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def incident_edit(request, *args, **kwargs):
    return HttpResponse(status=501)


def incident_history(request, *args, **kwargs):
    return HttpResponse(status=501)


def place_list(request, *args, **kwargs):
    return HttpResponse(status=501)


