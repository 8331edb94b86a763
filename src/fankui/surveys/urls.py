from django.urls import path, re_path

from . import views

app_name = "surveys"

# Mounted at the site's root: the public pages have short addresses (a QR code of fewer modules), staff pages live
# under /staff/surveys/.
urlpatterns = [
    re_path(r"^r/(?P<kind>[wp])/(?P<token>[A-Za-z0-9_-]{1,32})/$", views.window_rate, name="window_rate"),
    re_path(r"^r/(?P<kind>[wp])/(?P<token>[A-Za-z0-9_-]{1,32})/thanks/$", views.window_thanks, name="window_thanks"),
    path("staff/surveys/windows/", views.window_list, name="windows"),
    path("staff/surveys/windows/<str:kind>/<int:pk>/poster.<str:fmt>", views.poster, name="poster"),
    path("staff/surveys/calls/", views.call_list, name="calls"),
    path("staff/surveys/calls/<int:pk>/", views.call, name="call"),
]
