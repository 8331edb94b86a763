from django.urls import path

from fankui.intake.views import stored_file

from . import views

app_name = "actions"
urlpatterns = [
    path("staff/actions/", views.action_list, name="list"),
    path("staff/actions/new/", views.action_new, name="new"),
    path("staff/actions/<int:pk>/", views.action_detail, name="detail"),
    path("staff/actions/<int:pk>/step/<slug:step>/", views.action_step, name="step"),
    path("staff/actions/<int:pk>/progress/", views.action_progress, name="progress"),
    path("staff/actions/<int:pk>/link/", views.action_link, name="link"),
    path("staff/actions/<int:pk>/unlink/<int:case_id>/", views.action_unlink, name="unlink"),
    # Evidence is served as every stored file is, at /staff/attachments/<token>/; this older address still works.
    path("staff/actions/evidence/<str:token>/", stored_file),
]
