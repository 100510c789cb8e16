"""The one way a page lists rows: a page at a time (`?page=N`, past the last page the
last), shown with web/templates/web/_pager.html, whose links keep the other parameters."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


def list_page(request: HttpRequest, rows: Any, *, per_page: int = PAGE_SIZE,
              param: str = "page") -> tuple[Page, str]:
    """One page of `rows` (a queryset, read a page at a time, or a sequence) and the query
    string of the request without `param`, for the pager's links
    (`{% include "web/_pager.html" with page=… query=… param=… %}`)."""
    page = Paginator(rows, per_page).get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    return page, query.urlencode()
