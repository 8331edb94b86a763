from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.submit, name="submit"),
    path("submitted/<str:code>/", views.submitted, name="submitted"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/rate/", views.rate, name="rate"),
]
