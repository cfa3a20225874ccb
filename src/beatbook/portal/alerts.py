"""Public alerts on the portal: the index, each alert, the Atom feed with a CAP link per entry
(OASIS CAP-feeds practice, STANDARDS.md §2.2), CAP documents, and email subscriptions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from beatbook.alerts import services as alert_services
from beatbook.alerts.cap import cap_document, cap_sender
from beatbook.alerts.choices import PreventionTopic
from beatbook.alerts.forms import SubscribeForm
from beatbook.alerts.models import Alert
from beatbook.alerts.selectors import (
    article_published_get,
    articles_published,
    public_alert_get,
    public_alerts_live,
    public_alerts_recent,
    subscription_by_token,
)
from beatbook.core.exceptions import DomainError
from beatbook.core.i18n import localized
from beatbook.core.middleware import client_ip
from beatbook.portal import services
from beatbook.portal.exceptions import SubmissionRateLimited
from beatbook.portal.responses import rate_limited_page, secret_link_page

CAP_TYPE = "application/cap+xml"


def alert_card(alert: Alert) -> dict[str, Any]:
    return {
        "alert": alert,
        "headline": localized(alert, "headline"),
        "description": localized(alert, "description"),
        "instruction": localized(alert, "instruction"),
        "area": ", ".join(b.name for b in alert.beats.all()),
    }


class AlertIndexView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "portal/alert_index.html",
            {
                "live": [alert_card(a) for a in public_alerts_live()[:50]],
                "recent": [alert_card(a) for a in public_alerts_recent()[:50]],
                "atom_url": request.build_absolute_uri(reverse("portal:alert_feed")),
            },
        )


class PublicAlertView(View):
    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        alert = public_alert_get(number=number)
        return render(request, "portal/alert_detail.html", alert_card(alert))


class AlertCapView(View):
    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        alert = public_alert_get(number=number)
        return HttpResponse(cap_document(alert), content_type=f"{CAP_TYPE}; charset=utf-8")


class _CapAtom(Atom1Feed):
    """Atom with each entry's CAP document linked as alternate application/cap+xml."""

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        handler.addQuickElement(
            "link", "", {"rel": "alternate", "type": CAP_TYPE, "href": item["cap_url"]}
        )


class AlertFeed(Feed):
    feed_type = _CapAtom

    def title(self) -> str:
        return _("%(agency)s community alerts") % {"agency": settings.BEATBOOK_AGENCY_NAME}

    def link(self) -> str:
        return reverse("portal:alert_index")

    def subtitle(self) -> str:
        return _("Alerts and announcements in force now.")

    def items(self) -> list[Alert]:
        return list(public_alerts_live()[:100])

    def item_title(self, item: Alert) -> str:
        return localized(item, "headline")

    def item_description(self, item: Alert) -> str:
        return localized(item, "description")

    def item_link(self, item: Alert) -> str:
        return reverse("portal:alert_detail", args=[item.number])

    def item_guid(self, item: Alert) -> str:
        return f"{cap_sender()}:{item.number}"

    def item_guid_is_permalink(self, item: Alert) -> bool:
        return False

    def item_pubdate(self, item: Alert) -> Any:
        return item.published_at

    def item_updateddate(self, item: Alert) -> Any:
        return item.published_at

    def item_author_name(self, item: Alert) -> str:
        return settings.BEATBOOK_AGENCY_NAME

    def item_categories(self, item: Alert) -> list[str]:
        return [item.category]

    def item_extra_kwargs(self, item: Alert) -> dict[str, Any]:
        path = reverse("portal:alert_cap", args=[item.number])
        return {"cap_url": settings.BEATBOOK_PUBLIC_URL.rstrip("/") + path}

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=60"
        return response


class SubscribeView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "portal/alert_subscribe.html", {"form": SubscribeForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SubscribeForm(request.POST)
        if request.POST.get("website"):
            services.honeypot_record(ip=client_ip(request))
            return render(request, "portal/alert_subscribe_sent.html")
        if form.is_valid():
            try:
                services.rate_limited_submit(
                    ip=client_ip(request),
                    create=lambda: alert_services.subscription_request(
                        email=form.cleaned_data["email"],
                        beats=list(form.cleaned_data["beats"]),
                        language=(get_language() or "en")[:2],
                    ),
                )
            except SubmissionRateLimited as exc:
                return rate_limited_page(request, exc)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return render(request, "portal/alert_subscribe_sent.html")
        return render(request, "portal/alert_subscribe.html", {"form": form}, status=400)


class ConfirmView(View):
    """GET only shows a button: mail scanners that follow links must not confirm for anyone."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        subscription = subscription_by_token(token=token)
        context = {"subscription": subscription, "done": subscription.is_active}
        return secret_link_page(render(request, "portal/alert_confirm.html", context))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        subscription_by_token(token=token)
        try:
            subscription = alert_services.subscription_confirm(token=token)
        except DomainError as exc:
            context: dict[str, Any] = {"error": exc.message}
            return secret_link_page(
                render(request, "portal/alert_confirm.html", context, status=409)
            )
        context = {"subscription": subscription, "done": True}
        return secret_link_page(render(request, "portal/alert_confirm.html", context))


@method_decorator(csrf_exempt, name="dispatch")  # RFC 8058: the mail client POSTs, no page
class UnsubscribeView(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        subscription = subscription_by_token(token=token)
        context = {"done": subscription.unsubscribed_at is not None}
        return secret_link_page(render(request, "portal/alert_unsubscribe.html", context))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        subscription_by_token(token=token)
        alert_services.subscription_cancel(token=token)
        return secret_link_page(render(request, "portal/alert_unsubscribe.html", {"done": True}))


class PreventionIndexView(View):
    """The crime-prevention library, grouped by topic."""

    def get(self, request: HttpRequest) -> HttpResponse:
        topics: dict[str, list[dict[str, Any]]] = {}
        for article in articles_published():
            label = str(PreventionTopic(article.topic).label)
            topics.setdefault(label, []).append(
                {
                    "article": article,
                    "title": localized(article, "title"),
                    "summary": localized(article, "summary"),
                }
            )
        return render(request, "portal/prevention_index.html", {"topics": topics})


class PreventionArticleView(View):
    def get(self, request: HttpRequest, slug: str) -> HttpResponse:
        article = article_published_get(slug=slug)
        # Spanish title without Spanish text (or the reverse) is refused on save, so a page is
        # never half-translated.
        context = {
            "article": article,
            "title": localized(article, "title"),
            "summary": localized(article, "summary"),
            "body": localized(article, "body"),
            "topic": PreventionTopic(article.topic).label,
        }
        return render(request, "portal/prevention_article.html", context)
