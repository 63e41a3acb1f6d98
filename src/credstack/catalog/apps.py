from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "credstack.catalog"
    label = "catalog"
    verbose_name = "Micro-credential catalog"
