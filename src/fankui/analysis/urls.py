from django.urls import path

from . import views

app_name = "analysis"
urlpatterns = [
    path("cases/<int:pk>/correct/", views.correct, name="correct"),
    path("suggest/", views.suggest, name="suggest"),
]
