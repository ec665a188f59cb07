"""Being written."""
from django.http import HttpResponse


def inbox(request, *args, **kwargs):
    return HttpResponse(status=501)


def export(request, *args, **kwargs):
    return HttpResponse(status=501)


def counts(request, *args, **kwargs):
    return HttpResponse(status=501)


def report_detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def acknowledge(request, *args, **kwargs):
    return HttpResponse(status=501)


def assign(request, *args, **kwargs):
    return HttpResponse(status=501)


def reply(request, *args, **kwargs):
    return HttpResponse(status=501)


def note(request, *args, **kwargs):
    return HttpResponse(status=501)


def link_pupil(request, *args, **kwargs):
    return HttpResponse(status=501)


def close(request, *args, **kwargs):
    return HttpResponse(status=501)


def reopen(request, *args, **kwargs):
    return HttpResponse(status=501)


def photo(request, *args, **kwargs):
    return HttpResponse(status=501)


def area_settings(request, *args, **kwargs):
    return HttpResponse(status=501)


def topic_list(request, *args, **kwargs):
    return HttpResponse(status=501)


def topic_edit(request, *args, **kwargs):
    return HttpResponse(status=501)


