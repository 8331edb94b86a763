from django.urls import path, re_path

from . import views

app_name = "surveys"

# Mounted at the site's root: the public pages have short addresses (a QR code of fewer modules), staff pages live
# under /staff/surveys/.
urlpatterns = [
    # The citizen's rating of a rectification: the link in the report only opens the form (POST records).
    path("track/<str:code>/rectification/", views.rate_rectification, name="rectification"),
    path("staff/surveys/rectifications/", views.rectification_list, name="rectifications"),
    path("staff/surveys/rectifications/<int:pk>/", views.rectification_detail, name="rectification_detail"),
    path("staff/surveys/appeals/", views.appeal_list, name="appeals"),
    path("staff/surveys/appeals/<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("staff/surveys/appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("staff/surveys/ratings/<int:rating_pk>/appeal/", views.appeal_new, name="appeal_new"),
    # 一次一评: a window's or a person's public rating page; the windows' staff page, and 回访's call list.
    re_path(r"^r/(?P<kind>[wp])/(?P<token>[A-Za-z0-9_-]{1,32})/$", views.window_rate, name="window_rate"),
    re_path(r"^r/(?P<kind>[wp])/(?P<token>[A-Za-z0-9_-]{1,32})/thanks/$", views.window_thanks, name="window_thanks"),
    path("staff/surveys/windows/", views.window_list, name="windows"),
    path("staff/surveys/windows/<str:kind>/<int:pk>/poster.<str:fmt>", views.poster, name="poster"),
    path("staff/surveys/calls/", views.call_list, name="calls"),
    path("staff/surveys/calls/<int:pk>/", views.call, name="call"),
]
