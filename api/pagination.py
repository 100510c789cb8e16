"""The one way every API list pages: `?page=N&page_size=M` (50 a page unless asked, at most
MAX_PAGE_SIZE), answered as `{"count", "page", "pages", "page_size", "results": [...]}`.
An endpoint declares `response=list[ItemOut]` and `@paged()` (or `@paged(SubclassOfPages)`
whose `Output` adds the list's own fields); django-ninja documents both in the OpenAPI
schema.
The endpoint returns its rows unevaluated (a queryset, or `Rows` to shape only the page's
rows), so a request reads one page whatever the size of the list."""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Field, Schema
from ninja.pagination import PaginationBase, paginate

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Rows:
    """A list to page: `rows` (a queryset or a sequence), `shape` turning the rows of the
    page into what the response lists (e.g. places resolved on a day), and `extra`
    fields of the answer beside the page (declared in the paginator's `Output`)."""

    def __init__(self, rows: Any, shape: Callable[[list[Any]], Sequence[Any]] | None = None,
                 **extra: Any) -> None:
        self.rows, self.shape, self.extra = rows, shape, extra


class Pages(PaginationBase):
    """Page-number pagination with a bounded page size; past the last page answers the
    last page (as the pages of the site do)."""

    class Input(Schema):
        page: int = Field(1, ge=1, description=gettext_noop(
            "The page (from 1); past the last, the last."))
        page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=gettext_noop(
            "Rows a page, at most 200."))

    class Output(Schema):
        count: int = Field(..., description=gettext_noop("Rows in the whole list."))
        page: int
        pages: int
        page_size: int
        results: list[Any]

    items_attribute = "results"

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest,
                          **params: Any) -> dict[str, Any]:
        rows = queryset if isinstance(queryset, Rows) else Rows(queryset)
        paginator = Paginator(rows.rows, pagination.page_size)
        current = paginator.get_page(pagination.page)
        items = list(current.object_list)
        return {**rows.extra, "count": paginator.count, "page": current.number,
                "pages": paginator.num_pages, "page_size": pagination.page_size,
                "results": list(rows.shape(items)) if rows.shape else items}


def paged(paginator: type[Pages] = Pages) -> Callable[[Callable[..., Any]], Any]:
    """django-ninja's `paginate` with `paginator`, for endpoints of modules that postpone
    their annotations: they are evaluated here, in the endpoint's own module, since the
    paginating wrapper's module cannot resolve names such as `Query` or `QueryDay`."""

    def wrap(func: Callable[..., Any]) -> Any:
        func.__annotations__ = typing.get_type_hints(func, include_extras=True)
        return paginate(paginator)(func)

    return wrap
