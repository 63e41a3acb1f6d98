from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "credstack.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from credstack.accounts import throttle  # noqa: F401 - connects the sign-in failure counters
