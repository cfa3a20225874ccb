"""The short survey residents answer from their tracking or registration link."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from beatbook.core.exceptions import DomainError
from beatbook.outreach.forms import FeedbackForm
from beatbook.outreach.services import feedback as services


class _FeedbackView(View):
    target = ""  # "call" or "registration"

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        back = "portal:track" if self.target == "call" else "portal:event_registration"
        form = FeedbackForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a number from 1 to 5 for both questions."))
            return redirect(back, token=token)
        submit = (
            services.feedback_for_call
            if self.target == "call"
            else services.feedback_for_registration
        )
        try:
            submit(token=token, language=(get_language() or "en")[:2], **form.cleaned_data)
        except DomainError as exc:
            if exc.http_status == 404:
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you for your answers."))
        return redirect(back, token=token)


class CallFeedbackView(_FeedbackView):
    target = "call"


class RegistrationFeedbackView(_FeedbackView):
    target = "registration"
