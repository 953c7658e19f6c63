"""Review pages: the review block of the order page (the buyer's "Rate this seller" form or its
review, the seller's reply form), posting a review, a reply and a report, the reviews on a company
page and the moderators' queue of reported reviews. Thin views: parse the form, call one service or
selector, render or redirect."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.models import Company
from core.exceptions import ApplicationError
from orders import selectors as orders_selectors
from orders.models import Order, OrderRole, OrderStatus
from reviews import selectors, services

from ..decorators import moderator_required, safe_next
from . import forms

COMPANY_REVIEWS_PAGE_SIZE = 10
REPORTS_PAGE_SIZE = 25


def _order_review_url(order_id: int) -> str:
    return reverse("frontend:order_detail", kwargs={"pk": order_id}) + "#order-review"


# --- the order page's review block ------------------------------------------------------------------

def order_review_context(*, order: Order, roles: set[str]) -> dict:
    """What the order page shows about the order's review, in one query: the review (its parties
    see it even when hidden, with the reason), the buyer's form while there is none and the order
    is completed, the seller's reply form while the review has no reply."""
    if not roles & {OrderRole.BUYER, OrderRole.SELLER, OrderRole.MODERATOR}:
        return {"show_review": False}
    review = selectors.review_of_order(order=order)
    is_buyer, is_seller = OrderRole.BUYER in roles, OrderRole.SELLER in roles
    can_review = is_buyer and not is_seller and review is None and order.status == OrderStatus.COMPLETED
    can_reply = is_seller and review is not None and review.replied_at is None
    return {
        "show_review": review is not None or (is_buyer and not is_seller),
        "review": review,
        "review_order": order,
        "review_form": forms.ReviewForm(auto_id="review-%s") if can_review else None,
        "reply_form": forms.ReplyForm(auto_id="reply-%s") if can_reply else None,
        "review_waits_for_completion": is_buyer and review is None and order.status != OrderStatus.COMPLETED,
    }


@login_required
@require_POST
def review_post(request, pk: int):
    """The buyer rates the seller of a completed order. Errors come back on a page of their own."""
    order_id = orders_selectors.order_visible_id(actor=request.user, pk=pk)
    form = forms.ReviewForm(request.POST, auto_id="review-%s")
    status = 400
    if form.is_valid():
        try:
            services.review_post(actor=request.user, order_id=order_id, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_service_error(exc)
            status = exc.status_code
        else:
            messages.success(request, _("Thank you: your review is published."))
            return redirect(_order_review_url(order_id))
    return render(request, "frontend/reviews/review_form_page.html",
                  {"order_id": order_id, "review_form": form}, status=status)


@login_required
@require_POST
def review_reply(request, pk: int):
    """The seller's one reply; errors come back on a page of their own."""
    review = selectors.review_get_for_party(actor=request.user, pk=pk)
    form = forms.ReplyForm(request.POST, auto_id="reply-%s")
    status = 400
    if form.is_valid():
        try:
            services.review_reply(actor=request.user, review_id=review.pk, text=form.cleaned_data["reply"])
        except ApplicationError as exc:
            form.add_service_error(exc)
            status = exc.status_code
        else:
            messages.success(request, _("Your reply is published."))
            return redirect(_order_review_url(review.order_id))
    return render(request, "frontend/reviews/review_form_page.html",
                  {"order_id": review.order_id, "review": review, "reply_form": form}, status=status)


@login_required
@require_POST
def review_report(request, pk: int):
    """A member of another company reports a review; back to the page it was on."""
    review = selectors.review_get_visible(actor=request.user, pk=pk)
    back = safe_next(request, reverse("frontend:company_detail", kwargs={"pk": review.seller_id}) + "#reviews")
    form = forms.ReportForm(request.POST)
    if form.is_valid():
        try:
            services.review_report(actor=request.user, review=review, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you. A moderator will look at this review."))
    else:
        messages.error(request, form.errors["reason"][0])
    return redirect(back)


# --- the company page ----------------------------------------------------------------------------------

def company_reviews_context(request, company: Company) -> dict:
    """The seller's average and count and a page of its latest visible reviews with their replies,
    each with a report form where the viewer may report it. Four queries whatever the page holds
    (the rating, the count and the page, the viewer's memberships)."""
    rating = selectors.seller_rating_get(seller_id=company.pk)
    page = Paginator(selectors.review_list_for_seller(actor=request.user, seller=company),
                     COMPANY_REVIEWS_PAGE_SIZE).get_page(request.GET.get("reviews_page"))
    reviews = list(page.object_list)
    reportable = selectors.reviews_reportable(actor=request.user, reviews=reviews)
    return {
        "seller_rating": rating,
        "reviews_page": page,
        "review_rows": [(review, review.pk in reportable) for review in reviews],
    }


# --- moderation ------------------------------------------------------------------------------------------

@moderator_required
@require_safe
def review_moderation(request):
    reports = Paginator(selectors.review_report_list(actor=request.user), REPORTS_PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "frontend/reviews/moderation.html", {"reports": reports})


@moderator_required
@require_POST
def review_moderation_hide(request, pk: int):
    form = forms.HideForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["reason"][0])
    else:
        try:
            services.review_hide(actor=request.user, review_id=pk, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The review is hidden; both companies were told why."))
    return redirect(safe_next(request, reverse("frontend:review_moderation")))


@moderator_required
@require_POST
def review_moderation_dismiss(request, pk: int):
    try:
        services.review_reports_dismiss(actor=request.user, review_id=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The reports are dismissed; the review stays visible."))
    return redirect(safe_next(request, reverse("frontend:review_moderation")))


@moderator_required
@require_POST
def review_moderation_unhide(request, pk: int):
    try:
        review = services.review_unhide(actor=request.user, review_id=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(safe_next(request, reverse("frontend:review_moderation")))
    messages.success(request, _("The review is shown again and counts in the seller's average."))
    return redirect(safe_next(request, reverse("frontend:company_detail", kwargs={"pk": review.seller_id})
                              + "#reviews"))
