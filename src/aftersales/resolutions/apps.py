from django.apps import AppConfig


class ResolutionsConfig(AppConfig):
    name = "aftersales.resolutions"
    label = "resolutions"
