"""The review rules: only the buying company of a completed order reviews, once, never its own
company; ratings 1 to 5; one reply by the seller; hidden reviews leave the average and the public
lists; the moderator's reason is kept."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from accounts.models import VerificationStatus
from core.exceptions import ApplicationError, Conflict, Forbidden
from orders.models import OrderStatus
from reviews import selectors, services
from reviews.models import Review, ReviewDecision, ReviewReport
from tests.factories.accounts import MembershipFactory, UserFactory
from tests.orders.helpers import order_in
from tests.reviews.helpers import post, rating_of, review_rows

pytestmark = pytest.mark.django_db
D = Decimal


# --- posting --------------------------------------------------------------------------------------

def test_the_buyer_reviews_a_completed_order_and_the_sellers_rating_follows(world, completed):
    review = post(world, completed, product=5, communication=4, shipping=3, comment="  Good towels.  ")

    review.refresh_from_db()
    assert (review.order_id, review.buyer_id, review.seller_id, review.author_id) == (
        completed.pk, world.buyer.pk, world.seller_t.pk, world.buyer_owner.pk)
    assert (review.product, review.communication, review.shipping, review.comment) == (5, 4, 3, "Good towels.")
    assert review.average == D("4.00")
    assert rating_of(world.seller_t) == (1, D("4.00"), D("5.00"), D("4.00"), D("3.00"))


def test_the_average_is_the_mean_of_the_three_dimensions_over_all_visible_reviews(world, completed):
    second = order_in(world, OrderStatus.COMPLETED)
    post(world, completed, product=5, communication=5, shipping=4)
    post(world, second, actor=world.buyer_staff, product=4, communication=3, shipping=4, comment="")

    # product 4.5, communication 4.0, shipping 4.0 -> 12.5 / 3 = 4.1666..., kept to three places
    assert rating_of(world.seller_t) == (2, D("4.167"), D("4.500"), D("4.000"), D("4.000"))


@pytest.mark.parametrize("status", [OrderStatus.PLACED, OrderStatus.ACCEPTED, OrderStatus.SHIPPED,
                                    OrderStatus.DELIVERED, OrderStatus.CANCELLED])
def test_an_order_that_is_not_completed_cannot_be_reviewed(world, status):
    order = order_in(world, status)
    before = review_rows()

    with pytest.raises(Conflict) as caught:
        post(world, order)

    assert (caught.value.status_code, caught.value.code, caught.value.message) == (
        409, "order_not_completed", "You can review an order once it is completed.")
    assert review_rows() == before


def test_one_review_per_order(world, completed):
    first = post(world, completed)
    before = review_rows()

    with pytest.raises(Conflict) as caught:
        post(world, completed, actor=world.buyer_staff, product=1, communication=1, shipping=1)

    assert (caught.value.code, caught.value.message) == ("already_reviewed", "This order has already been reviewed.")
    assert review_rows() == before
    assert list(Review.objects.values_list("pk", flat=True)) == [first.pk]


def test_the_database_refuses_a_second_review_of_an_order(world, completed):
    review = post(world, completed)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(order=completed, buyer=world.buyer, seller=world.seller_t, author=world.buyer_owner,
                              product=1, communication=1, shipping=1)
    assert Review.objects.get().pk == review.pk


def test_the_database_refuses_ratings_outside_one_to_five_and_a_review_of_ones_own_company(world, completed):
    for values in ({"product": 0}, {"communication": 6}, {"shipping": 0}):
        data = {"product": 3, "communication": 3, "shipping": 3, **values}
        with pytest.raises(IntegrityError), transaction.atomic():
            Review.objects.create(order=completed, buyer=world.buyer, seller=world.seller_t,
                                  author=world.buyer_owner, **data)
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.create(order=completed, buyer=world.seller_t, seller=world.seller_t,
                              author=world.buyer_owner, product=3, communication=3, shipping=3)
    assert Review.objects.count() == 0


@pytest.mark.parametrize("field,value", [("product", 0), ("product", 6), ("communication", -1),
                                         ("shipping", 10), ("shipping", "5.5"), ("product", None),
                                         ("communication", True), ("product", "")])
def test_ratings_out_of_range_are_a_field_error(world, completed, field, value):
    with pytest.raises(ApplicationError) as caught:
        post(world, completed, **{field: value})

    assert (caught.value.status_code, caught.value.fields) == (400, {field: ["Give a whole number from 1 to 5."]})
    assert review_rows() == {"reviews": [], "reports": [], "decisions": [], "ratings": []}


def test_every_bad_rating_is_named(world, completed):
    with pytest.raises(ApplicationError) as caught:
        post(world, completed, product=0, communication="x", shipping=3)
    assert caught.value.fields == {"product": ["Give a whole number from 1 to 5."],
                                   "communication": ["Give a whole number from 1 to 5."]}
    assert Review.objects.count() == 0


def test_a_comment_is_bounded_and_plain_text(world, completed):
    with pytest.raises(ApplicationError) as caught:
        post(world, completed, comment="x" * 2001)
    assert caught.value.fields == {"comment": ["Ensure this value has at most 2000 characters (it has 2001)."]}

    with pytest.raises(ApplicationError) as caught:
        post(world, completed, comment="<script>alert(1)</script>")
    assert caught.value.fields == {"comment": ["HTML tags and scripts are not allowed in this field."]}
    assert Review.objects.count() == 0

    review = post(world, completed, comment="x" * 2000)
    assert len(review.comment) == 2000


def test_only_the_buying_company_reviews(world, completed):
    before = review_rows()
    # Another company's member does not see the order at all.
    with pytest.raises(Http404):
        post(world, completed, actor=world.other_owner)
    with pytest.raises(Http404):
        post(world, completed, actor=world.seller_c_owner)
    # The seller sees the order but may not review it: nobody rates their own company.
    with pytest.raises(Forbidden) as caught:
        post(world, completed, actor=world.seller_t_owner)
    assert (caught.value.code, caught.value.message) == ("own_company", "You cannot review your own company.")
    # A moderator sees every order but buys nothing.
    with pytest.raises(Forbidden) as caught:
        post(world, completed, actor=world.moderator)
    assert caught.value.message == "Only the buying company can review this order."
    assert review_rows() == before


def test_a_member_of_both_companies_cannot_review_the_seller(world, completed):
    both = MembershipFactory(company=world.buyer).user
    MembershipFactory(company=world.seller_t, user=both)

    with pytest.raises(Forbidden) as caught:
        post(world, completed, actor=both)

    assert caught.value.code == "own_company"
    assert Review.objects.count() == 0


def test_an_unverified_email_or_a_suspended_buyer_cannot_post(world, completed):
    unverified = MembershipFactory(company=world.buyer, user=UserFactory(email_verified_at=None)).user
    with pytest.raises(Forbidden) as caught:
        post(world, completed, actor=unverified)
    assert caught.value.code == "email_not_verified"

    world.buyer.verification_status = VerificationStatus.SUSPENDED
    world.buyer.save(update_fields=["verification_status"])
    with pytest.raises(Forbidden) as caught:
        post(world, completed)
    assert caught.value.code == "company_suspended"
    assert review_rows() == {"reviews": [], "reports": [], "decisions": [], "ratings": []}


# --- reply ----------------------------------------------------------------------------------------

def test_the_seller_replies_once(world, completed):
    review = post(world, completed)

    replied = services.review_reply(actor=world.seller_t_owner, review_id=review.pk, text="  Thank you!  ")
    assert (replied.reply, replied.replied_by_id) == ("Thank you!", world.seller_t_owner.pk)
    assert replied.replied_at is not None
    before = review_rows()

    with pytest.raises(Conflict) as caught:
        services.review_reply(actor=world.seller_t_owner, review_id=review.pk, text="Again")
    assert (caught.value.code, caught.value.message) == ("already_replied", "This review already has a reply.")
    assert review_rows() == before


def test_only_the_seller_replies(world, completed):
    review = post(world, completed)
    before = review_rows()

    with pytest.raises(Forbidden) as caught:
        services.review_reply(actor=world.buyer_owner, review_id=review.pk, text="Me too")
    assert caught.value.message == "Only the reviewed company can reply."
    with pytest.raises(Http404):
        services.review_reply(actor=world.other_owner, review_id=review.pk, text="Hi")
    with pytest.raises(Http404):
        services.review_reply(actor=world.seller_t_owner, review_id=review.pk + 1000, text="Hi")
    assert review_rows() == before


def test_a_reply_must_have_bounded_plain_text(world, completed):
    review = post(world, completed)
    for text, fields in (("   ", {"reply": ["Write your reply."]}),
                         ("y" * 2001, {"reply": ["Ensure this value has at most 2000 characters (it has 2001)."]}),
                         ("<b>hi</b>", {"reply": ["HTML tags and scripts are not allowed in this field."]})):
        with pytest.raises(ApplicationError) as caught:
            services.review_reply(actor=world.seller_t_owner, review_id=review.pk, text=text)
        assert caught.value.fields == fields
    review.refresh_from_db()
    assert (review.reply, review.replied_at) == ("", None)


def test_a_suspended_seller_may_still_reply(world, completed):
    review = post(world, completed)
    world.seller_t.verification_status = VerificationStatus.SUSPENDED
    world.seller_t.save(update_fields=["verification_status"])

    assert services.review_reply(actor=world.seller_t_owner, review_id=review.pk, text="Our side.").reply == (
        "Our side.")


# --- reports and moderation -----------------------------------------------------------------------

def test_a_member_of_another_company_reports_once_while_open(world, completed):
    review = post(world, completed)

    report = services.review_report(actor=world.other_owner, review=review, reason=" Not a real trade. ")
    assert (report.reporter_id, report.company_id, report.reason, report.resolved_at) == (
        world.other_owner.pk, world.other.pk, "Not a real trade.", None)
    with pytest.raises(Conflict) as caught:
        services.review_report(actor=world.other_owner, review=review, reason="Again")
    assert caught.value.message == "You have already reported this review."
    # The seller may report a review of itself.
    services.review_report(actor=world.seller_t_owner, review=review, reason="Insulting words.")
    assert ReviewReport.objects.filter(review=review).count() == 2


def test_the_authors_company_cannot_report_its_review_and_a_reason_is_required(world, completed):
    review = post(world, completed)
    with pytest.raises(Forbidden):
        services.review_report(actor=world.buyer_staff, review=review, reason="Oops")
    with pytest.raises(Forbidden) as caught:
        services.review_report(actor=UserFactory(), review=review, reason="Spam")
    assert caught.value.message == "Only members of a company can report reviews."
    with pytest.raises(ApplicationError) as caught:
        services.review_report(actor=world.other_owner, review=review, reason="  ")
    assert caught.value.fields == {"reason": ["Give the reason."]}
    assert ReviewReport.objects.count() == 0


def test_hiding_records_the_reason_resolves_reports_and_leaves_the_average(world, completed):
    second = order_in(world, OrderStatus.COMPLETED)
    kept = post(world, second, product=2, communication=2, shipping=2)
    review = post(world, completed, product=5, communication=5, shipping=5)
    services.review_report(actor=world.other_owner, review=review, reason="Fake")
    assert rating_of(world.seller_t) == (2, D("3.50"), D("3.50"), D("3.50"), D("3.50"))

    hidden = services.review_hide(actor=world.moderator, review_id=review.pk, reason=" Written by a competitor. ")

    assert (hidden.hidden_by_id, hidden.hidden_reason) == (world.moderator.pk, "Written by a competitor.")
    assert rating_of(world.seller_t) == (1, D("2.00"), D("2.00"), D("2.00"), D("2.00"))
    assert list(ReviewDecision.objects.values_list("review_id", "action", "reason", "moderator_id")) == [
        (review.pk, "hide", "Written by a competitor.", world.moderator.pk)]
    assert list(ReviewReport.objects.values_list("decision", "resolved_by_id")) == [("hide", world.moderator.pk)]
    # Out of the public list, still in the moderators' one and on the order for its parties.
    assert list(selectors.review_list_for_seller(actor=world.other_owner, seller=world.seller_t)) == [kept]
    assert list(selectors.review_list_for_seller(actor=world.moderator, seller=world.seller_t)) == [review, kept]
    assert selectors.review_for_order(actor=world.buyer_owner, order_id=completed.pk).hidden_reason == (
        "Written by a competitor.")
    with pytest.raises(Http404):
        selectors.review_get_visible(actor=world.other_owner, pk=review.pk)

    with pytest.raises(Conflict):
        services.review_hide(actor=world.moderator, review_id=review.pk, reason="Again")
    # The reviewed seller still sees it on its order, but there is nothing left to report.
    with pytest.raises(Conflict) as caught:
        services.review_report(actor=world.seller_t_owner, review=hidden, reason="Still there")
    assert caught.value.code == "already_hidden"
    assert ReviewReport.objects.count() == 1

    services.review_unhide(actor=world.moderator, review_id=review.pk)
    assert rating_of(world.seller_t) == (2, D("3.50"), D("3.50"), D("3.50"), D("3.50"))


def test_only_moderators_hide_and_a_reason_is_required(world, completed):
    review = post(world, completed)
    before = review_rows()
    with pytest.raises(Forbidden):
        services.review_hide(actor=world.seller_t_owner, review_id=review.pk, reason="I do not like it")
    with pytest.raises(ApplicationError) as caught:
        services.review_hide(actor=world.moderator, review_id=review.pk, reason="")
    assert caught.value.fields == {"reason": ["Give the reason."]}
    with pytest.raises(ApplicationError) as caught:
        services.review_hide(actor=world.moderator, review_id=review.pk, reason="r" * 1001)
    assert list(caught.value.fields) == ["reason"]
    assert review_rows() == before


def test_the_last_visible_review_hidden_leaves_no_average(world, completed):
    review = post(world, completed)
    services.review_hide(actor=world.moderator, review_id=review.pk, reason="Spam")
    assert rating_of(world.seller_t) == (0, None, None, None, None)


def test_dismissing_reports_keeps_the_review_visible(world, completed):
    review = post(world, completed)
    services.review_report(actor=world.other_owner, review=review, reason="Fake")

    assert services.review_reports_dismiss(actor=world.moderator, review_id=review.pk) == 1

    assert list(ReviewReport.objects.values_list("decision", flat=True)) == ["dismiss"]
    review.refresh_from_db()
    assert review.hidden_at is None
    assert rating_of(world.seller_t)[0] == 1
    with pytest.raises(Conflict):
        services.review_reports_dismiss(actor=world.moderator, review_id=review.pk)
    # Dismissed, the reporter may report it again.
    services.review_report(actor=world.other_owner, review=review, reason="Still fake")
    assert list(selectors.review_report_list(actor=world.moderator).values_list("reason", flat=True)) == [
        "Still fake"]
    assert list(selectors.review_report_list(actor=world.other_owner)) == []
