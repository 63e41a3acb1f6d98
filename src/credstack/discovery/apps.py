from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "credstack.discovery"
    label = "discovery"
    verbose_name = "Discovery (learner profiles and suggestions)"
