from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from credstack.accounts import throttle
from credstack.accounts.actions import clean_registration, do_activate_user, do_request_registration
from credstack.accounts.forms import RegisterForm
from credstack.accounts.landing import landing_url

SENT_TO = "credstack.registration_sent_to"


def _add_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def register(request: HttpRequest) -> HttpResponse:
    """The same answer and one mail whether the address has an account or not (``do_request_registration``)."""
    if request.user.is_authenticated:
        return redirect("home")
    form = RegisterForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ("email", "password", "display_name")}
        try:
            email = clean_registration(**fields)
            throttle.count_mail(request, email)
            do_request_registration(**fields)
        except throttle.Throttled as refused:
            form.add_error(None, refused.message)
            status = 429
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            request.session[SENT_TO] = email
            return redirect("accounts:register_sent")
    if form.errors and status == 200:
        status = 400
    return render(request, "accounts/register.html", {"form": form}, status=status)


def register_sent(request: HttpRequest) -> HttpResponse:
    email = request.session.get(SENT_TO)
    if not email:
        return redirect("accounts:register")
    return render(request, "accounts/register_sent.html", {"email": email})


def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The mailed activation link: a GET shows a button (mail scanners that follow links activate nothing), the
    POST activates the account and signs it in."""
    if request.method != "POST":
        return render(request, "accounts/activate.html", {})
    try:
        user = do_activate_user(uidb64=uidb64, token=token)
    except ValidationError as exc:
        return render(request, "accounts/activate.html", {"error": " ".join(exc.messages)}, status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, "Welcome to credstack. Your account is ready.")
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("home")


class SignInView(auth_views.LoginView):
    """Django's sign-in; a safe ``next`` page always wins, otherwise the person lands on their main job's page
    (``landing.landing_url``: an assessor on the review queue, an admin on the dashboard)."""

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, sending at most a few mails per address and per client (``throttle.count_mail``)."""

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            throttle.count_mail(self.request, form.cleaned_data["email"])
        except throttle.Throttled as refused:
            form.add_error(None, refused.message)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
