from django.urls import path

from . import views

app_name = "sla"
urlpatterns = [
    path("staff/sla/board/", views.board, name="board"),
    path("staff/sla/cases/<int:pk>/ask/", views.request_information, name="ask"),
    path("staff/sla/cases/<int:pk>/resume/", views.resume, name="resume"),
    path("staff/sla/cases/<int:pk>/extension/", views.request_extension, name="extension"),
    path("staff/sla/cases/<int:pk>/extension/<int:extension>/", views.decide_extension, name="decide"),
    path("staff/sla/cases/<int:pk>/supervise/", views.supervise, name="supervise"),
    path("staff/sla/cases/<int:pk>/unsupervise/", views.unsupervise, name="unsupervise"),
]
