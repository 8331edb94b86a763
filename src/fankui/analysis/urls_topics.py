from django.urls import path

from . import views_topics

app_name = "topics"
urlpatterns = [
    path("", views_topics.topic_list, name="list"),
    path("<int:pk>/", views_topics.topic_detail, name="detail"),
    path("<int:pk>/label/", views_topics.topic_label, name="label"),
]
