from django.urls import path

from reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("review/", views.review, name="review"),
    path("periods/", views.periods, name="periods"),
    path("periods/<str:code>/", views.period_detail, name="period"),
    path("periods/<str:code>/add-units/", views.period_units_add, name="period-units-add"),
    path("adhoc/new/", views.adhoc_new, name="adhoc-new"),
    path("adhoc/units/", views.adhoc_units, name="adhoc-units"),
    path("completeness/", views.completeness, name="completeness"),
    path("r/<str:period>/<slug:unit>/", views.report_view, name="report"),
    path("r/<str:period>/<slug:unit>/check/", views.report_check, name="check"),
    path("r/<str:period>/<slug:unit>/accept/", views.report_accept, name="accept"),
    path("r/<str:period>/<slug:unit>/return/", views.report_return, name="return"),
    path("r/<str:period>/<slug:unit>/reopen/", views.report_reopen, name="reopen"),
    path("r/<str:period>/<slug:unit>/history/", views.report_history, name="history"),
    path("r/<str:period>/<slug:unit>/conflicts/<int:pk>/", views.conflict_resolve,
         name="conflict-resolve"),
]
