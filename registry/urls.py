from django.urls import path

from registry import views

app_name = "registry"
urlpatterns = [
    path("", views.index, name="index"),
    path("by-place/", views.by_place, name="by-place"),
    path("places/move/", views.places_move, name="places-move"),
    path("places/search/", views.places_search, name="places-search"),
    path("mine/", views.mine, name="mine"),
    path("units/", views.units, name="units"),
    path("activities/", views.activity_list, name="activity-list"),
    path("activities/new/", views.activity_form, name="activity-create"),
    path("activities/import/", views.activity_import, name="activity-import"),
    path("activities/export.xlsx", views.activity_export, name="activity-export"),
    path("activities/<int:pk>/", views.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/edit/", views.activity_form, name="activity-edit"),
    path("packaging/import/", views.packaging_import, name="packaging-import"),
    path("packaging/export.xlsx", views.packaging_export, name="packaging-export"),
    path("retailers/<int:pk>/packaging/new/", views.packaging_form, name="packaging-create"),
    path("retailers/<int:pk>/packaging/<int:practice_pk>/edit/", views.packaging_form,
         name="packaging-edit"),
    path("figures/import/", views.figures_import, name="figures-import"),
    path("figures/export.xlsx", views.figures_export, name="figures-export"),
    path("enterprises/<int:pk>/figures/<int:year>/<slug:period>/", views.figures_edit,
         name="figures-edit"),
    path("enterprises/<int:pk>/figures/", views.figures_go, name="figures-go"),
    path("enterprises/<int:pk>/designate/", views.designate, name="designate"),
    path("<slug:registry>/", views.entry_list, name="list"),
    path("<slug:registry>/new/", views.entry_create, name="create"),
    path("<slug:registry>/import/", views.entry_import, name="import"),
    path("<slug:registry>/export.xlsx", views.entry_export, name="export"),
    path("<slug:registry>/<int:pk>/", views.entry_detail, name="detail"),
    path("<slug:registry>/<int:pk>/edit/", views.entry_edit, name="edit"),
]
