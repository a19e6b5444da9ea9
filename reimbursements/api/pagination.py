"""Page-numbered lists whose size the client chooses: ``limit`` (or ``page_size``) items."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
LIMIT_DESCRIPTION = (
    f"Items per page, exactly (1-{MAX_PAGE_SIZE}, default {DEFAULT_PAGE_SIZE}); "
    "'page_size' is accepted as another name for it."
)


class ListPagination(PageNumberPagination):
    """``?limit=1`` answers one item. DRF's own class ignores an unknown size parameter
    (and a bad value) and answers its default 50: a client asking for 1 got 50."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "limit"
    max_page_size = MAX_PAGE_SIZE
    size_params = ("limit", "page_size")

    def get_page_size(self, request: Request) -> int:
        for name in self.size_params:
            raw = request.query_params.get(name)
            if raw is None or raw == "":
                continue
            if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
                raise ValidationError(
                    {
                        name: [
                            _("Must be a whole number from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}
                        ]
                    }
                )
            return int(raw)
        return self.page_size

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == "limit":
                parameter["description"] = LIMIT_DESCRIPTION
        return parameters
