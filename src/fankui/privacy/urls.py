from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("track/<str:code>/privacy/", views.page, name="page"),
    path("track/<str:code>/privacy/code/", views.send_code, name="send_code"),
    path("track/<str:code>/privacy/verify/", views.verify, name="verify"),
    path("track/<str:code>/privacy/data.<str:fmt>", views.download, name="download"),
    path("track/<str:code>/privacy/erase/", views.erase, name="erase"),
]
