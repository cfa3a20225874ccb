"""Staff pages for alerts: list with the review queue, drafting, and the alert page where it
is submitted, approved or returned, and withdrawn."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from beatbook.alerts import services
from beatbook.alerts.choices import AlertStatus
from beatbook.alerts.forms import AlertForm, ArticleForm, NoteForm
from beatbook.alerts.models import Alert, PreventionArticle
from beatbook.alerts.selectors import alert_get, alert_list, review_queue
from beatbook.core.exceptions import DomainError, NotFound
from beatbook.core.history import history_for
from beatbook.core.permissions import RoleRequiredMixin, request_user
from beatbook.core.roles import ALL_STAFF_ROLES

STEP_DONE = {
    "submit": "submitted for approval",
    "approve": "approved and published",
    "return": "returned for changes",
    "cancel": "withdrawn",
}


class AlertListView(RoleRequiredMixin, View):
    allowed_roles = ALL_STAFF_ROLES

    def get(self, request: HttpRequest) -> HttpResponse:
        viewer = request_user(request)
        status = request.GET.get("status", "")
        return render(
            request,
            "alerts/alert_list.html",
            {
                "alerts": alert_list(viewer=viewer, status=status)[:200],
                "queue": review_queue() if viewer.role in services.APPROVERS else [],
                "status": status,
                "statuses": AlertStatus.choices,
                "can_draft": viewer.role in services.AUTHORS,
            },
        )


def _form_view(
    request: HttpRequest, form: AlertForm, alert: Alert | None, status: int = 200
) -> HttpResponse:
    return render(request, "alerts/alert_form.html", {"form": form, "alert": alert}, status=status)


class AlertDraftView(RoleRequiredMixin, View):
    allowed_roles = services.AUTHORS

    def get(self, request: HttpRequest) -> HttpResponse:
        expires = timezone.localtime(services.alert_expiry_default())
        return _form_view(request, AlertForm(initial={"expires_at": expires}), None)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = AlertForm(request.POST)
        if form.is_valid():
            try:
                alert = services.alert_draft(actor=request_user(request), **form.cleaned_data)
            except DomainError as exc:
                field = getattr(exc, "field", None)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, f"{alert.number} saved as a draft.")
                return redirect("alerts:alert_detail", alert_id=alert.pk)
        return _form_view(request, form, None, status=400)


class AlertEditView(RoleRequiredMixin, View):
    allowed_roles = services.AUTHORS

    def get(self, request: HttpRequest, alert_id: int) -> HttpResponse:
        alert = alert_get(viewer=request_user(request), alert_id=alert_id)
        initial = {name: getattr(alert, name) for name in services.ALERT_FIELDS}
        initial["expires_at"] = timezone.localtime(alert.expires_at)
        initial["beats"] = [beat.pk for beat in alert.beats.all()]  # prefetched, by name
        return _form_view(request, AlertForm(initial=initial), alert)

    def post(self, request: HttpRequest, alert_id: int) -> HttpResponse:
        alert = alert_get(viewer=request_user(request), alert_id=alert_id)
        form = AlertForm(request.POST)
        if form.is_valid():
            try:
                services.alert_update(actor=request_user(request), alert=alert, **form.cleaned_data)
            except DomainError as exc:
                field = getattr(exc, "field", None)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, f"{alert.number} saved.")
                return redirect("alerts:alert_detail", alert_id=alert.pk)
        return _form_view(request, form, alert, status=400)


def _detail(request: HttpRequest, alert: Alert, error: str = "", status: int = 200) -> HttpResponse:
    role = request_user(request).role
    context = {
        "alert": alert,
        "history": history_for(alert),
        "can_edit": role in services.AUTHORS and alert.status in AlertStatus.editable(),
        "can_review": role in services.APPROVERS and alert.status == AlertStatus.SUBMITTED,
        "can_cancel": role in services.APPROVERS and alert.status == AlertStatus.PUBLISHED,
        "error": error,
    }
    return render(request, "alerts/alert_detail.html", context, status=status)


class AlertDetailView(RoleRequiredMixin, View):
    allowed_roles = ALL_STAFF_ROLES

    def get(self, request: HttpRequest, alert_id: int) -> HttpResponse:
        return _detail(request, alert_get(viewer=request_user(request), alert_id=alert_id))


class AlertStepView(RoleRequiredMixin, View):
    allowed_roles = services.AUTHORS

    def post(self, request: HttpRequest, alert_id: int, step: str) -> HttpResponse:
        actor = request_user(request)
        alert = alert_get(viewer=actor, alert_id=alert_id)
        if step not in STEP_DONE:
            return HttpResponse(status=404)
        note = NoteForm(request.POST)
        text = note.cleaned_data["note"] if note.is_valid() else ""
        try:
            if step == "submit":
                services.alert_submit(actor=actor, alert=alert)
            elif step == "approve":
                services.alert_approve(actor=actor, alert=alert)
            elif step == "return":
                services.alert_return(actor=actor, alert=alert, note=text)
            else:
                services.alert_cancel(actor=actor, alert=alert, reason=text)
        except DomainError as exc:
            status = exc.http_status if exc.http_status in {400, 403, 409} else 400
            return _detail(request, alert_get(viewer=actor, alert_id=alert_id), exc.message, status)
        messages.success(request, f"{alert.number} {STEP_DONE[step]}.")
        return redirect("alerts:alert_detail", alert_id=alert.pk)


class ArticleListView(RoleRequiredMixin, View):
    allowed_roles = services.EDITORS

    def get(self, request: HttpRequest) -> HttpResponse:
        articles = PreventionArticle.objects.select_related("updated_by")
        return render(request, "alerts/article_list.html", {"articles": articles})


class ArticleEditView(RoleRequiredMixin, View):
    """Write a new article (no id) or change one."""

    allowed_roles = services.EDITORS

    def get(self, request: HttpRequest, article_id: int | None = None) -> HttpResponse:
        article = self._article(article_id)
        initial = {n: getattr(article, n) for n in services.ARTICLE_FIELDS} if article else {}
        return self._render(request, ArticleForm(initial=initial), article)

    def post(self, request: HttpRequest, article_id: int | None = None) -> HttpResponse:
        article = self._article(article_id)
        form = ArticleForm(request.POST)
        if form.is_valid():
            try:
                saved = services.article_save(
                    actor=request_user(request), article=article, **form.cleaned_data
                )
            except DomainError as exc:
                field = getattr(exc, "field", None)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, f"“{saved.title}” saved.")
                return redirect("alerts:article_list")
        return self._render(request, form, article, status=400)

    def _article(self, article_id: int | None) -> PreventionArticle | None:
        if article_id is None:
            return None
        article = PreventionArticle.objects.filter(pk=article_id).first()
        if article is None:
            raise NotFound("No such article.")
        return article

    def _render(
        self, request: HttpRequest, form: ArticleForm, article: Any, status: int = 200
    ) -> HttpResponse:
        history = history_for(article) if article else []
        context = {"form": form, "article": article, "history": history}
        return render(request, "alerts/article_form.html", context, status=status)
