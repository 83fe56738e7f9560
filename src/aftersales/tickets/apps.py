from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "aftersales.tickets"
    label = "tickets"
