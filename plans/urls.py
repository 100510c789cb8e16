from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("agencies/", views.agency_list_view, name="agency-list"),
    path("agencies/<slug:code>/", views.agency_detail_view, name="agency-detail"),
    path("tasks/", views.task_list_view, name="task-list"),
    path("tasks/<str:ref>/", views.task_detail_view, name="task-detail"),
]
