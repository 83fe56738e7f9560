from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("", views.notifications_view, name="list"),
    path("read-all/", views.notifications_read_all_view, name="read_all"),
    path("<int:pk>/read/", views.notification_read_view, name="read"),
]
