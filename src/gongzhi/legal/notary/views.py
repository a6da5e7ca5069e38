"""The notary pages: the guide (matters → questionnaire → documents, fee, offices serving the
place, free slots → booking), a resident's bookings, and the office's desk (the day's
bookings with the answers and documents; attended / did not come; slots laid out in bulk).

The views parse, call ``services`` and render; the rules live there and in ``guide``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import Conflict, ServiceError

from ..models import BookingStatus, NotaryBooking
from . import guide, queries, services
from .forms import PlaceForm, QuestionnaireForm, SlotTemplateForm


def _matter(code):
    try:
        return services.check_matter(code=code)
    except ServiceError:
        raise Http404 from None


def _booking(request, number):
    booking = (
        NotaryBooking.objects.visible_to(request.user)
        .select_related("slot", "office__organisation", "matter", "resident")
        .filter(number=number)
        .first()
    )
    if booking is None:
        raise Http404
    return booking


def _status(error: ServiceError) -> int:
    return 409 if isinstance(error, Conflict) else getattr(error, "status", 400)


@require_GET
def matter_list(request):
    return render(request, "legal/notary/matters.html", {"matters": queries.matters()})


def _place(request, form: PlaceForm, home):
    if form.is_valid() and form.cleaned_data.get("place"):
        return form.cleaned_data["place"]
    return home


def _guide_context(request, matter, data, *, error=None):
    """The questionnaire, and when it was sent, its outcome and the offices with slots."""
    home = queries.home_place(request.user)
    form = QuestionnaireForm(data if data.get("go") else None, matter=matter)
    place_form = PlaceForm(data or None, home=home)
    place = _place(request, place_form, home)
    context = {
        "matter": matter,
        "form": form,
        "place_form": place_form,
        "place": place,
        "home": home,
        "outcome": None,
        "offices": [],
        "book_error": error,
    }
    if data.get("go"):
        try:
            outcome = services.evaluate(matter=matter, answers=form.answers())
        except ServiceError as problem:
            for e in problem.all:
                form.add_error(e.field if e.field in form.fields else None, e.message)
        else:
            context["outcome"] = outcome
            context["offices"] = queries.offices_serving(place)
    return context


@require_GET
def matter_guide(request, code):
    matter = _matter(code)
    return render(request, "legal/notary/guide.html", _guide_context(request, matter, request.GET))


@login_required
@require_POST
def book(request, code):
    matter = _matter(code)
    try:
        slot_id = int(request.POST.get("slot", ""))
    except ValueError:
        slot_id = 0
    answers = {q["key"]: request.POST.get(q["key"], "") for q in matter.questions}
    try:
        booking = services.do_book(
            user=request.user, slot_id=slot_id, matter=matter, answers=answers
        )
    except ServiceError as problem:
        data = request.POST.copy()
        data["go"] = "1"
        context = _guide_context(request, matter, data, error=problem.message)
        return render(request, "legal/notary/guide.html", context, status=_status(problem))
    messages.success(
        request, _("Booked: %(number)s. Bring the documents listed.") % {"number": booking.number}
    )
    return redirect("legal:notary_booking", booking.number)


def _booking_page(request, booking, *, revealed=None, refused="", status=200):
    return render(
        request,
        "legal/notary/booking.html",
        {
            "booking": booking,
            "asked": guide.describe(booking.matter, booking.answers),
            "may_cancel": booking.resident_id == request.user.pk
            and booking.status == BookingStatus.BOOKED
            and booking.slot.starts_at > timezone.now(),
            "staff": services.works_at(request.user, booking.office),
            "revealed": revealed,
            "refused": refused,
        },
        status=status,
    )


@login_required
@require_GET
def booking_detail(request, number):
    return _booking_page(request, _booking(request, number))


@login_required
@require_POST
def reveal(request, number):
    """The office's staff see the applicant's real name and phone (audited)."""
    booking = _booking(request, number)
    try:
        revealed = services.reveal_applicant(user=request.user, booking=booking, request=request)
    except ServiceError as problem:
        return _booking_page(request, booking, refused=problem.message, status=403)
    return _booking_page(request, booking, revealed=revealed)


@login_required
@require_POST
def cancel(request, number):
    booking = _booking(request, number)
    try:
        services.do_cancel(user=request.user, booking=booking)
    except ServiceError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, _("Booking %(number)s cancelled.") % {"number": number})
    return redirect("legal:notary_mine")


@login_required
@require_GET
def mine(request):
    now = timezone.now()
    bookings = list(queries.bookings_of(request.user)[:100])
    for b in bookings:
        b.may_cancel = b.status == BookingStatus.BOOKED and b.slot.starts_at > now
    return render(request, "legal/notary/mine.html", {"bookings": bookings})


def _desk_offices(request):
    offices = queries.staffed_offices(request.user)
    if not offices.exists():
        raise Http404
    return offices


@login_required
@require_GET
def desk(request):
    offices = _desk_offices(request)
    day = parse_date(request.GET.get("day") or "") or timezone.localdate()
    chosen = offices
    office_code = request.GET.get("office") or ""
    if office_code:
        chosen = offices.filter(organisation__code=office_code)
    rows = list(queries.day_bookings(request.user, offices=chosen, day=day))
    for b in rows:
        b.asked = guide.describe(b.matter, b.answers)
        b.may_mark = b.status == BookingStatus.BOOKED and day <= timezone.localdate()
    return render(
        request,
        "legal/notary/desk.html",
        {
            "offices": offices,
            "office_code": office_code,
            "day": day,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "bookings": rows,
            "waiting": sum(b.status == BookingStatus.BOOKED for b in rows),
        },
    )


@login_required
@require_POST
def mark(request, number):
    booking = _booking(request, number)
    try:
        services.do_mark(
            user=request.user, booking=booking, outcome=request.POST.get("outcome", "")
        )
    except ServiceError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(
            request,
            _("%(number)s: %(status)s")
            % {"number": number, "status": booking.get_status_display()},
        )
    day = timezone.localdate(booking.slot.starts_at)
    return redirect(f"{reverse('legal:notary_desk')}?day={day:%Y-%m-%d}")


@login_required
def slots(request):
    offices = _desk_offices(request)
    form = SlotTemplateForm(request.POST or None, offices=offices)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            made = services.do_make_slots(
                user=request.user,
                office=data["office"],
                first_day=data["first_day"],
                weeks=data["weeks"],
                weekdays=data["days"],
                times=data["times"],
                capacity=data["capacity"],
                working_days_only=data["working_days_only"],
            )
        except ServiceError as problem:
            for e in problem.all:
                form.add_error(e.field if e.field in form.fields else None, e.message)
            status = 400
        else:
            messages.success(request, _("%(n)s time slots made.") % {"n": made})
            return redirect("legal:notary_slots")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "legal/notary/slots.html",
        {"form": form, "slots": queries.upcoming_slots(offices=offices)[:300]},
        status=status,
    )
