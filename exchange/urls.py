from django.urls import path

from exchange import views

app_name = "exchange"
urlpatterns = [
    path("r/<str:period>/<slug:unit>/template.xlsx", views.template_download, name="template"),
    path("import/", views.template_import, name="import"),
    path("export/", views.data_export, name="export"),
]
