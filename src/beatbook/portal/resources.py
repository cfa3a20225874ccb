"""The public resource directory (search by need, place, language, open now, age) and the
provider's page for answering a referral through its secret link."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from beatbook.core.exceptions import DomainError, NotFound
from beatbook.portal.responses import secret_link_page
from beatbook.resources.choices import ConsentScope, ReferralStatus
from beatbook.resources.models import Referral
from beatbook.resources.search import search_run
from beatbook.resources.selectors import need_label
from beatbook.resources.services.referrals import provider_actor, referral_status_set


class ResourceSearchView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        search = search_run(request.GET.copy(), language_code=get_language() or "en")
        for result in search.results:
            result.need_names = [  # type: ignore[attr-defined]
                need_label(t, get_language() or "en")
                for t in result.service.terms.all()
                if t.parent_id is None
            ]
        return render(request, "portal/resources.html", {"search": search})


def _referral(token: str) -> Referral:
    referral = (
        Referral.objects.select_related("service__organization", "need")
        .filter(provider_token=token)
        .first()
    )
    if referral is None:
        raise NotFound(_("This link is not valid."))
    return referral


# What a provider may answer from each status (their own choices, not the CSO's withdrawal).
PROVIDER_ANSWERS: dict[str, list[str]] = {
    ReferralStatus.SENT: [
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.SERVED,
        ReferralStatus.UNABLE_TO_REACH,
    ],
    ReferralStatus.ACCEPTED: [ReferralStatus.SERVED, ReferralStatus.UNABLE_TO_REACH],
}


class ProviderReferralView(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self._render(request, _referral(token))

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        referral = _referral(token)
        status = request.POST.get("status", "")
        if status not in PROVIDER_ANSWERS.get(referral.status, []):
            messages.error(request, _("That answer is not possible now."))
            return self._render(request, referral, status=409)
        try:
            referral_status_set(
                actor=provider_actor(referral),
                referral=referral,
                status=status,
                note=request.POST.get("note", "")[:1000],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return self._render(request, referral, status=409)
        messages.success(request, _("Thank you: the officer has been told."))
        return redirect("portal:referral_provider", token=token)

    def _render(self, request: HttpRequest, referral: Referral, status: int = 200) -> HttpResponse:
        context = {
            "referral": referral,
            "share_contact": ConsentScope.CONTACT_SHARE in referral.consent_scopes,
            "share_details": ConsentScope.DETAILS_SHARE in referral.consent_scopes,
            "answers": [
                (s, ReferralStatus(s).label) for s in PROVIDER_ANSWERS.get(referral.status, [])
            ],
            "updates": referral.updates.all(),
        }
        return secret_link_page(
            render(request, "portal/referral_provider.html", context, status=status)
        )
