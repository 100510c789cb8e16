from django.urls import path

from progress import views

app_name = "progress"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("targets/<slug:code>/", views.target_detail, name="target"),
    path("targets/<slug:code>/assess/", views.assess, name="assess"),
    path("sectors/<slug:code>/", views.sector_detail, name="sector"),
    path("charts/<slug:kind>/<slug:code>.svg", views.chart, name="chart"),
]
