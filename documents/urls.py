from django.urls import path, re_path

from documents import views

app_name = "documents"
urlpatterns = [
    path("periods/<str:code>/tasks/", views.consolidation, name="consolidation"),
    re_path(r"^periods/(?P<code>[^/]+)/report\.(?P<fmt>docx|pdf)$", views.consolidated_download,
            name="consolidated"),
    re_path(r"^r/(?P<period>[^/]+)/(?P<unit>[-\w]+)/report\.(?P<fmt>docx|pdf)$",
            views.unit_download, name="unit"),
    path("r/<str:period>/<slug:unit>/official/", views.official_record, name="official"),
    path("r/<str:period>/<slug:unit>/scan.pdf", views.official_scan, name="scan"),
]
