from django.http import HttpResponse


def answer(request, *a, **k):
    return HttpResponse()


def invited(request, *a, **k):
    return HttpResponse()
