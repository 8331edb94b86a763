from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("history/", views.history, name="history"),
    path("urgency/", views.urgency, name="urgency"),
    path("knowledge/", views.knowledge_search, name="knowledge"),
]
