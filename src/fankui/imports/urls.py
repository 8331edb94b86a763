from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.jobs, name="list"),
    path("<int:pk>/", views.job, name="detail"),
    path("<int:pk>/progress/", views.job_progress, name="progress"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
