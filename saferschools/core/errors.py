"""Error pages: JSON under /api/, GOV.UK pages elsewhere, and never a hint of what exists."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def _respond(request: HttpRequest, status: int, detail: str, template: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=status)
    return render(request, template, {"detail": detail}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 404, "Not found.", "errors/404.html")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 403, "You do not have permission to do this.", "errors/403.html")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _respond(request, 400, "Bad request.", "errors/400.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _respond(
        request,
        403,
        "The form had expired or came from somewhere else. Go back, reload the page and try again.",
        "errors/csrf.html",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _respond(request, 500, "Sorry, there is a problem with the service.", "errors/500.html")
