from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "credstack.accounts"
    label = "accounts"
    verbose_name = "Accounts"
