from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("partners/<str:slug>/submissions", views.submissions, name="submissions"),
]
