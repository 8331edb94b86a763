from django.urls import path

from . import views

app_name = "staff"
urlpatterns = [
    path("", views.home, name="home"),
    path("triage/", views.triage, name="triage"),
    path("inbox/", views.inbox, name="inbox"),
    path("cases/", views.all_cases, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/<slug:action>/", views.case_action, name="case_action"),
]
