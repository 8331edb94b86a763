from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("<str:token>/", views.stored_file, name="file"),
]
