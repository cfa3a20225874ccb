"""The public site. No account; every page in English and Spanish; nothing personal shown."""

from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import get_language
from django.views import View

from beatbook.alerts.selectors import public_alerts_live
from beatbook.animals import services as animal_services
from beatbook.animals.choices import Species
from beatbook.animals.selectors import found_animals_public, lost_animal_by_token
from beatbook.calls.choices import CallStatus
from beatbook.calls.public import (
    public_call_by_token,
    public_nearby_open,
    public_photo_by_token,
    public_view,
)
from beatbook.core.actors import PORTAL
from beatbook.core.exceptions import DomainError, NotFound
from beatbook.core.i18n import localized
from beatbook.core.middleware import client_ip
from beatbook.core.nibrs import PropertyCategory
from beatbook.outreach.forms import FeedbackForm
from beatbook.outreach.selectors import feedback_given
from beatbook.places.selectors import beats_geojson, streets_geojson
from beatbook.portal import services
from beatbook.portal.alerts import alert_card
from beatbook.portal.exceptions import SubmissionRateLimited
from beatbook.portal.forms import (
    FindMyCsoForm,
    LostPetForm,
    LostReportForm,
    ReportForm,
    SupportForm,
)
from beatbook.portal.responses import rate_limited_page
from beatbook.portal.selectors import (
    cso_coverage,
    public_call_by_reference,
    public_categories,
    public_category,
    recent_public_calls,
)
from beatbook.property import services as property_services
from beatbook.property.selectors import found_items_public, found_week, lost_report_by_token

MAX_UPLOADS = services.MAX_PHOTOS


def _categories() -> list[dict[str, str]]:
    return [
        {"code": t.code, "name": localized(t, "name"), "description": localized(t, "description")}
        for t in public_categories()
    ]


class HomeView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        alerts = [alert_card(a) for a in public_alerts_live()[:3]]
        return render(request, "portal/home.html", {"categories": _categories(), "alerts": alerts})


class ReportView(View):
    template_name = "portal/report_form.html"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        call_type = public_category(code=code)
        form = ReportForm(call_type=call_type, initial={"idempotency_key": uuid.uuid4().hex})
        return self._render(request, form)

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        call_type = public_category(code=code)
        form = ReportForm(request.POST, call_type=call_type)
        if request.POST.get("website"):
            services.honeypot_record(ip=client_ip(request))
            return redirect("portal:report_thanks")
        uploads = request.FILES.getlist("photos")
        if not form.is_valid():
            return self._render(request, form, status=400)
        d = form.cleaned_data
        try:
            result = services.report_submit(
                ip=client_ip(request),
                idempotency_key=d["idempotency_key"] or "",
                call_type=call_type,
                description=d["description"],
                lat=d["lat"],
                lon=d["lon"],
                address=d["address"],
                answers=form.answers(),
                photos=[(f, f.size or 0) for f in uploads],
                name=d["name"],
                email=d["email"],
                phone=d["phone"],
                language=(get_language() or "en")[:2],
            )
        except SubmissionRateLimited as exc:
            return rate_limited_page(request, exc)
        except DomainError as exc:
            field = getattr(exc, "field", None)
            name = (
                field
                if field in form.fields
                else "address"
                if field == "location"
                else f"q_{field}"
                if f"q_{field}" in form.fields
                else None
            )
            form.add_error(name, exc.message)
            return self._render(
                request, form, status=400, emergency=exc.code == "emergency_detected"
            )
        return redirect("portal:track", token=result.call.public_token)

    def _render(
        self, request: HttpRequest, form: ReportForm, status: int = 200, emergency: bool = False
    ) -> HttpResponse:
        call_type = form.call_type
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "call_type_name": localized(call_type, "name"),
                "call_type_code": call_type.code,
                "emergency": emergency,
                "max_uploads": MAX_UPLOADS,
            },
            status=status,
        )


class ReportThanksView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "portal/report_thanks.html")


class NearbyView(View):
    """Open reports of the same kind near a point, so a resident can join one."""

    def get(self, request: HttpRequest) -> JsonResponse:
        try:
            call_type = public_category(code=request.GET.get("type", ""))
            lat, lon = float(request.GET["lat"]), float(request.GET["lon"])
        except (KeyError, ValueError, NotFound):
            return JsonResponse(
                {"code": "invalid_input", "detail": "type, lat and lon are required"}, status=400
            )
        items = [
            {
                "reference": view.reference,
                "service": view.service_name,
                "place": view.block_text,
                "status": view.status_label,
                "supporters": view.supporters,
                "requested": view.requested_at.isoformat(),
                "support_url": reverse("portal:report_support", args=[view.reference]),
            }
            for _call, view in public_nearby_open(call_type=call_type, lat=lat, lon=lon)
        ]
        return JsonResponse({"reports": items})


class SupportView(View):
    """ "This is my problem too": join an open report instead of making a duplicate."""

    def get(self, request: HttpRequest, reference: str) -> HttpResponse:
        call = public_call_by_reference(reference=reference)
        return render(
            request,
            "portal/support.html",
            {"report": public_view(call, with_timeline=False), "form": SupportForm()},
        )

    def post(self, request: HttpRequest, reference: str) -> HttpResponse:
        call = public_call_by_reference(reference=reference)
        form = SupportForm(request.POST)
        if form.is_valid():
            try:
                services.report_support(call=call, email=form.cleaned_data["email"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("portal:report_detail", reference=reference)
        return render(
            request,
            "portal/support.html",
            {"report": public_view(call, with_timeline=False), "form": form},
            status=400,
        )


class TrackView(View):
    """The resident's own report, by the unguessable token in their link."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        call = public_call_by_token(token=token)
        if call is None:
            return render(request, "portal/track_unknown.html", status=404)
        closed = call.status not in CallStatus.open_values()
        return render(
            request,
            "portal/track.html",
            {
                "report": public_view(call),
                "token": token,
                "photos": list(call.photos.all()),
                "feedback_form": FeedbackForm()
                if closed and not feedback_given(call_id=call.pk)
                else None,
            },
        )


class TrackPhotoView(View):
    """A photo, shown only to whoever holds the report's tracking link."""

    def get(self, request: HttpRequest, token: str, photo_id: int, size: str) -> HttpResponse:
        photo = public_photo_by_token(token=token, photo_id=photo_id)
        if photo is None or size not in ("thumb", "full"):
            raise Http404
        stored = photo.thumbnail if size == "thumb" else photo.image
        with stored.open("rb") as f:
            response = HttpResponse(f.read(), content_type="image/jpeg")
        response["Cache-Control"] = "private, no-store"
        return response


class FindMyCsoView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = FindMyCsoForm(request.GET or None)
        coverage, status = None, 200
        if form.is_bound and form.is_valid():
            try:
                coverage = cso_coverage(address=form.cleaned_data["address"])
            except DomainError as exc:
                form.add_error("address", exc.message)
                status = 400
        return render(
            request, "portal/find_my_cso.html", {"form": form, "coverage": coverage}, status=status
        )


class ReportListView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(recent_public_calls(), 20).get_page(request.GET.get("page"))
        reports = [public_view(c, with_timeline=False) for c in page]
        return render(request, "portal/report_list.html", {"reports": reports, "page": page})


class ReportMapDataView(View):
    def get(self, request: HttpRequest) -> JsonResponse:
        points = []
        for call in recent_public_calls()[:500]:
            view = public_view(call, with_timeline=False)
            if view.lat is None or view.lon is None:
                continue
            points.append(
                {
                    "reference": view.reference,
                    "service": view.service_name,
                    "status": view.status_label,
                    "open": view.is_open,
                    "place": view.block_text,
                    "lat": view.lat,
                    "lon": view.lon,
                    "url": reverse("portal:report_detail", args=[view.reference]),
                }
            )
        return JsonResponse({"reports": points})


class ReportDetailView(View):
    def get(self, request: HttpRequest, reference: str) -> HttpResponse:
        call = public_call_by_reference(reference=reference)
        return render(request, "portal/report_detail.html", {"report": public_view(call)})


class MapLayerView(View):
    """Beats and streets for the public maps (no personal data in either)."""

    def get(self, request: HttpRequest, layer: str) -> JsonResponse:
        if layer == "beats":
            return JsonResponse(beats_geojson())
        if layer == "streets":
            return JsonResponse(streets_geojson())
        raise Http404


class LostReportView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "portal/lost_form.html", {"form": LostReportForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = LostReportForm(request.POST)
        if form.is_valid():
            try:
                report = services.rate_limited_submit(
                    ip=client_ip(request),
                    create=lambda: property_services.lost_report_create(
                        actor=PORTAL, language=(get_language() or "en")[:2], **form.cleaned_data
                    ),
                )
            except SubmissionRateLimited as exc:
                return rate_limited_page(request, exc)
            except DomainError as exc:
                form.add_error(
                    "address" if getattr(exc, "field", "") == "location" else None, exc.message
                )
            else:
                return redirect("portal:lost_track", token=report.public_token)
        return render(request, "portal/lost_form.html", {"form": form}, status=400)


class LostTrackView(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        report = lost_report_by_token(token=token)
        if report is None:
            return render(request, "portal/track_unknown.html", status=404)
        return render(request, "portal/lost_track.html", {"report": report})


class FoundSearchView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        category = request.GET.get("category", "")
        area = request.GET.get("area", "")[:100]
        try:
            since = parse_date(request.GET.get("since", "")[:10])
        except ValueError:  # well-formed but impossible, like 2026-02-30
            since = None
        items = found_items_public(
            category=category if category in PropertyCategory.values else "",
            since=since,
            area=area,
        )[:50]
        found = [(item, found_week(item)) for item in items]
        return render(
            request,
            "portal/found_search.html",
            {
                "found": found,
                "category": category,
                "area": area,
                "since": since,
                "categories": [(c.value, c.label) for c in PropertyCategory],
            },
        )


class LostPetReportView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "portal/lost_pet_form.html", {"form": LostPetForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = LostPetForm(request.POST)
        if form.is_valid():
            try:
                report = services.rate_limited_submit(
                    ip=client_ip(request),
                    create=lambda: animal_services.lost_animal_report_create(
                        actor=PORTAL, language=(get_language() or "en")[:2], **form.cleaned_data
                    ),
                )
            except SubmissionRateLimited as exc:
                return rate_limited_page(request, exc)
            except DomainError as exc:
                field = getattr(exc, "field", None)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                return redirect("portal:lost_pet_track", token=report.public_token)
        return render(request, "portal/lost_pet_form.html", {"form": form}, status=400)


class LostPetTrackView(View):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        report = lost_animal_by_token(token=token)
        if report is None:
            return render(request, "portal/track_unknown.html", status=404)
        return render(request, "portal/lost_pet_track.html", {"report": report})


class FoundAnimalsView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        species = request.GET.get("species", "")
        area = request.GET.get("area", "")[:100]
        cases = found_animals_public(
            species=species if species in Species.values else "", area=area
        )[:50]
        return render(
            request,
            "portal/found_animals.html",
            {"cases": cases, "species": species, "area": area, "choices": Species.choices},
        )
