from django.http import HttpRequest, HttpResponse


def ticket_list_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
