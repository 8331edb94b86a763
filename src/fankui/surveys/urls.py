from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    # The citizen's rating of a rectification: the link in the report only opens the form (POST records).
    path("track/<str:code>/rectification/", views.rate_rectification, name="rectification"),
    path("staff/surveys/rectifications/", views.rectification_list, name="rectifications"),
    path("staff/surveys/rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("staff/surveys/appeals/", views.appeal_list, name="appeals"),
    path("staff/surveys/appeals/<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("staff/surveys/appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("staff/surveys/ratings/<int:rating_pk>/appeal/", views.appeal_new, name="appeal_new"),
]
