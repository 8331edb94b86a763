from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/", views.reports, name="reports"),
    path("dashboard/windows/", views.window_rates, name="windows"),
]
