"""One error shape for the whole API: JSON naming each offending field."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


def _messages(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return [str(value)]


def api_exception_handler(exc, context):
    """Shape every error as ``{"detail": ..., "errors": {field: [message, ...]}}``.

    Missing and out-of-scope objects answer alike: 404 "Not found.".
    """
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, DjangoValidationError):
        errors = (
            {field: _messages(messages) for field, messages in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(errors)
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail
        if not isinstance(data, dict):
            data = {"non_field_errors": data}
        errors = {field: _messages(messages) for field, messages in data.items()}
        fields = ", ".join(errors)
        response.data = {"detail": f"Invalid input: {fields}.", "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    return response
