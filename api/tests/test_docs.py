"""The API's documentation in Vietnamese: the OpenAPI document's texts come from the
catalogue in the request's language, and the Swagger UI page carries Vietnamese labels
for Swagger UI's own interface, all served from the project."""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils import translation

from accounts.models import Role
from api.api import api
from api.docs import SWAGGER_LABELS, swagger_labels
from web.tests.test_offline import outside_references
from web.tests.uiwalk import english_words, visible_text

_CODE = re.compile(r"`[^`]*`")  # names and values a client sends, written as code


def _texts(node: Any) -> list[str]:
    """Every text of an OpenAPI document meant for people: summaries, descriptions,
    titles and tags."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("summary", "description", "title") and isinstance(value, str):
                found.append(value)
            elif key == "tags" and isinstance(value, list):
                found += [t for t in value if isinstance(t, str)]
            else:
                found += _texts(value)
    elif isinstance(node, list):
        for item in node:
            found += _texts(item)
    return found


def test_every_text_of_the_api_documentation_is_translated():
    with translation.override("en"):
        english = _texts(api.get_openapi_schema())
    with translation.override("vi"):
        vietnamese = _texts(api.get_openapi_schema())
    assert len(english) == len(vietnamese) > 300
    untranslated = sorted({e for e, v in zip(english, vietnamese, strict=True) if e == v})
    # a new operation or schema needs its texts marked (gettext_noop, SCHEMA_TITLES) and
    # translated (scripts/i18n APP)
    assert untranslated == []


def test_openapi_json_is_vietnamese_by_default_and_in_the_language_chosen(client):
    body = client.get("/api/v1/openapi.json").json()
    assert body["info"]["title"] == "API Theo dõi SX&TDBV"
    operation = body["paths"]["/api/v1/reporting/periods"]["post"]
    assert operation["summary"] == ("Mở kỳ báo cáo 6 tháng (2025S1) hoặc năm (2025) "
                                    "(đơn vị điều phối)")
    assert operation["tags"] == ["Báo cáo"]
    assert operation["responses"]["409"]["description"].startswith(
        "Yêu cầu đúng dạng nhưng không phù hợp với dữ liệu đang lưu")
    schemas = body["components"]["schemas"]
    assert schemas["PeriodOut"]["title"] == "Kỳ báo cáo"
    assert schemas["AreasIn"]["title"].endswith(": mục mới")
    # pydantic's field titles (the name in English title case) are left out
    assert "title" not in schemas["PeriodOut"]["properties"]["due_date"]
    # the language chosen on the site (its cookie; the browser's Accept-Language is not
    # followed: common.middleware.IgnoreAcceptLanguageMiddleware)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/api/v1/openapi.json").json()
    assert english["paths"]["/api/v1/reporting/periods"]["post"]["summary"] == (
        "Open a semi-annual (2025S1) or annual (2025) period (coordinator)")


def test_openapi_json_in_vietnamese_has_no_english_words_and_no_outside_host(client):
    response = client.get("/api/v1/openapi.json")
    texts = _texts(response.json())
    found = {word for text in texts for word in english_words(_CODE.sub(" ", text))}
    assert found == set()
    assert re.findall(r"(?:https?:)?//[\w.-]+", response.content.decode()) == []


def test_the_check_finds_english_in_the_documentation():
    texts = _texts({"paths": {"/x": {"get": {"summary": "Save the report", "tags": ["Kế hoạch"],
                                             "description": "`year` là năm"}}}})
    assert [w for t in texts for w in english_words(_CODE.sub(" ", t))] == ["Save", "the"]


def test_docs_page_is_vietnamese_and_served_from_the_project(client, make_user):
    client.force_login(make_user(Role.COORDINATOR, "sct"))
    html = client.get("/api/v1/docs").content.decode()
    assert '<html lang="vi">' in html and "<title>API Theo dõi SX&amp;TDBV</title>" in html
    assert outside_references(html) == []
    # a way back to the site, above Swagger UI
    assert '<nav class="scp-back"><a href="/">← Về trang Theo dõi SX&amp;TDBV</a></nav>' in html
    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "api/swagger-vi.js",
                 "api/swagger-page.css"):
        assert f"/static/{name}" in html and finders.find(name), name
    # the labels for swagger-vi.js, in a JSON block (no inline script: the CSP)
    labels = json.loads(re.search(r'<script id="swagger-labels" type="application/json">'
                                  r"(.*?)</script>", html, re.S)[1])
    assert labels["Try it out"] == "Thử gọi" and labels["Execute"] == "Gửi yêu cầu"
    assert labels["Parameters"] == "Tham số" and labels["Responses"] == "Kết quả trả về"
    assert len(labels) == len(SWAGGER_LABELS)
    assert [english for english, vietnamese in labels.items() if english == vietnamese] == []
    assert english_words(visible_text(html)) == []


def test_swagger_labels_follow_the_language():
    with translation.override("en"):
        assert swagger_labels()["Try it out"] == "Try it out"
    with translation.override("vi"):
        assert swagger_labels()["Try it out"] == "Thử gọi"
