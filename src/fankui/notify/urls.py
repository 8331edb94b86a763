from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("staff/notifications/", views.staff_notifications, name="staff"),
    path("staff/notifications/read/", views.mark_read, name="mark_read"),
    path("notify/optout/<str:token>/", views.opt_out, name="optout"),
]
