from django.urls import path

from . import views, views_board

app_name = "portal"
urlpatterns = [
    path("", views.submit, name="submit"),
    path("submitted/<str:code>/", views.submitted, name="submitted"),
    path("track/", views.track_lookup, name="track_lookup"),
    path("track/<str:code>/", views.track, name="track"),
    path("track/<str:code>/answer/", views.answer, name="answer"),
    path("track/<str:code>/rate/", views.rate, name="rate"),
    # The public board (你说我改): the improvement actions people's requests led to.
    path("board/", views_board.board_page, name="board"),
    path("board/feed/", views_board.BoardFeed(), name="board_feed"),
    path("board/widget/", views_board.board_widget, name="board_widget"),
    path("board/<int:pk>/", views_board.board_action, name="board_action"),
]
