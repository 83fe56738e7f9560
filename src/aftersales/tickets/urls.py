from django.urls import path

from . import views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list_view, name="list"),
    path("new/", views.ticket_create_view, name="create"),
    path("<str:number>/", views.ticket_detail_view, name="detail"),
    path("<str:number>/actions/<str:action>/", views.ticket_action_view, name="action"),
    path("<str:number>/attachments/<int:attachment_id>/", views.attachment_view, name="attachment"),
]
