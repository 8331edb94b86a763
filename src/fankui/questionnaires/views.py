from django.http import HttpResponse


def questionnaire_list(request, *a, **k):
    return HttpResponse()


def questionnaire_new(request, *a, **k):
    return HttpResponse()


def questionnaire_detail(request, *a, **k):
    return HttpResponse()


def questionnaire_settings(request, *a, **k):
    return HttpResponse()


def questionnaire_state(request, *a, **k):
    return HttpResponse()


def page_new(request, *a, **k):
    return HttpResponse()


def page_edit(request, *a, **k):
    return HttpResponse()


def page_delete(request, *a, **k):
    return HttpResponse()


def question_edit(request, *a, **k):
    return HttpResponse()


def question_delete(request, *a, **k):
    return HttpResponse()


def question_move(request, *a, **k):
    return HttpResponse()


def questionnaire_qr(request, *a, **k):
    return HttpResponse()


def invitations(request, *a, **k):
    return HttpResponse()


def invitations_send(request, *a, **k):
    return HttpResponse()


def invitations_remind(request, *a, **k):
    return HttpResponse()
