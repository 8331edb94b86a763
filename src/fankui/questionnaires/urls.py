from django.urls import path

from . import views, views_answer, views_phone, views_results

app_name = "questionnaires"
urlpatterns = [
    # Respondents (no login): the public link and an invitation's one-time link.
    path("q/<str:key>/", views_answer.answer, name="answer"),
    path("q/i/<str:token>/", views_answer.invited, name="invited"),
    # Staff: the builder and distribution.
    path("staff/questionnaires/", views.questionnaire_list, name="list"),
    path("staff/questionnaires/new/", views.questionnaire_new, name="new"),
    path("staff/questionnaires/<int:pk>/", views.questionnaire_detail, name="detail"),
    path("staff/questionnaires/<int:pk>/settings/", views.questionnaire_settings, name="settings"),
    path("staff/questionnaires/<int:pk>/state/<slug:state>/", views.questionnaire_state, name="state"),
    path("staff/questionnaires/<int:pk>/pages/new/", views.page_new, name="page_new"),
    path("staff/questionnaires/<int:pk>/pages/<str:page>/", views.page_edit, name="page_edit"),
    path("staff/questionnaires/<int:pk>/pages/<str:page>/delete/", views.page_delete, name="page_delete"),
    path("staff/questionnaires/<int:pk>/questions/new/", views.question_edit, name="question_new"),
    path("staff/questionnaires/<int:pk>/questions/<str:key>/", views.question_edit, name="question_edit"),
    path("staff/questionnaires/<int:pk>/questions/<str:key>/delete/", views.question_delete, name="question_delete"),
    path(
        "staff/questionnaires/<int:pk>/questions/<str:key>/move/<str:direction>/",
        views.question_move,
        name="question_move",
    ),
    path("staff/questionnaires/<int:pk>/qr.<str:kind>", views.questionnaire_qr, name="qr"),
    path("staff/questionnaires/<int:pk>/invitations/", views.invitations, name="invitations"),
    path("staff/questionnaires/<int:pk>/invitations/send/", views.invitations_send, name="invitations_send"),
    path("staff/questionnaires/<int:pk>/invitations/remind/", views.invitations_remind, name="invitations_remind"),
    # Staff: answers by phone (回访, 电话访谈), recorded by an operator on a call (views_phone).
    path("staff/questionnaires/phone/", views_phone.choose, name="phone_choose"),
    path("staff/questionnaires/<int:pk>/phone/", views_phone.record, name="phone"),
    # Staff: results, free-text answers linked to actions, exports (views_results).
    path("staff/questionnaires/<int:pk>/results/", views_results.results, name="results"),
    path("staff/questionnaires/<int:pk>/results/texts/", views_results.text_answers, name="results_texts"),
    path("staff/questionnaires/<int:pk>/results/link/", views_results.link_action, name="results_link"),
    path("staff/questionnaires/<int:pk>/results/export/", views_results.export, name="results_export"),
]
