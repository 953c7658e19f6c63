"""The review pages: the order page's review block for the buyer and the seller, posting a review,
a reply and a report through forms with errors in words, the rating on the listing page (no extra
query) and the company page, and the moderators' queue with hide and dismiss. Query counts do not
grow with the rows shown."""
from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import OrderStatus
from reviews import services
from reviews.models import Review, ReviewReport
from tests.orders.helpers import order_in
from tests.reviews.helpers import post, review_rows

pytestmark = pytest.mark.django_db
FORM = {"product": "5", "communication": "4", "shipping": "4", "comment": "Soft towels, well packed."}


def section(response, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>.*?</\1>', response.content.decode(), re.S)
    return match.group(0) if match else ""


def count(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def texts(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the order page ---------------------------------------------------------------------------------

def test_the_buyer_rates_the_seller_from_the_order_page(client_as, world, completed):
    client = client_as(world.buyer_owner)
    page = client.get(f"/orders/{completed.pk}/")
    block = section(page, "order-review")
    assert "Rate this seller" in block and 'id="review-form"' in block

    response = client.post(f"/orders/{completed.pk}/review/", FORM, follow=True)

    assert response.redirect_chain == [(f"/orders/{completed.pk}/#order-review", 302)]
    assert texts(response) == ["Thank you: your review is published."]
    review = Review.objects.get()
    assert (review.product, review.communication, review.shipping, review.comment) == (
        5, 4, 4, "Soft towels, well packed.")
    block = section(response, "order-review")
    assert 'id="review-form"' not in block and "Soft towels, well packed." in block
    assert "By Gamma Handel GmbH on" in block


def test_a_bad_form_comes_back_with_errors_in_words(client_as, world, completed):
    client = client_as(world.buyer_owner)
    response = client.post(f"/orders/{completed.pk}/review/", {**FORM, "product": "9", "comment": "x" * 2001})

    assert response.status_code == 400
    errors = response.context["review_form"].errors
    assert errors == {"product": ["Choose a rating from 1 to 5."],
                      "comment": ["Ensure this value has at most 2000 characters (it has 2001)."]}
    assert Review.objects.count() == 0


def test_an_order_that_is_not_completed_says_when_it_can_be_reviewed(client_as, world):
    order = order_in(world, OrderStatus.SHIPPED)
    client = client_as(world.buyer_owner)
    assert "You can review an order once it is completed." in section(client.get(f"/orders/{order.pk}/"),
                                                                       "order-review")

    response = client.post(f"/orders/{order.pk}/review/", FORM)

    assert response.status_code == 409
    assert response.context["review_form"].non_field_errors() == ["You can review an order once it is completed."]
    assert Review.objects.count() == 0


def test_a_second_review_and_other_companies(client_as, world, completed):
    post(world, completed)
    before = review_rows()
    response = client_as(world.buyer_staff).post(f"/orders/{completed.pk}/review/", FORM)
    assert response.status_code == 409
    assert response.context["review_form"].non_field_errors() == ["This order has already been reviewed."]
    assert client_as(world.other_owner).post(f"/orders/{completed.pk}/review/", FORM).status_code == 404
    response = client_as(world.seller_t_owner).post(f"/orders/{completed.pk}/review/", FORM)
    assert response.status_code == 403
    assert response.context["review_form"].non_field_errors() == ["You cannot review your own company."]
    assert review_rows() == before


def test_the_seller_sees_the_review_and_replies_once(client_as, world, completed):
    review = post(world, completed)
    client = client_as(world.seller_t_owner)
    block = section(client.get(f"/orders/{completed.pk}/"), "order-review")
    assert "Good towels." in block and 'id="review-reply-form"' in block and 'id="review-form"' not in block

    response = client.post(f"/reviews/{review.pk}/reply/", {"reply": ""})
    assert response.status_code == 400
    assert response.context["reply_form"].errors == {"reply": ["Write your reply."]}

    response = client.post(f"/reviews/{review.pk}/reply/", {"reply": "Thank you, see you again."}, follow=True)
    assert texts(response) == ["Your reply is published."]
    block = section(response, "order-review")
    assert "Thank you, see you again." in block and 'id="review-reply-form"' not in block

    response = client.post(f"/reviews/{review.pk}/reply/", {"reply": "Again"})
    assert response.status_code == 409
    assert response.context["reply_form"].non_field_errors() == ["This review already has a reply."]
    # The buyer cannot reply; another company does not see the review.
    assert client_as(world.buyer_owner).post(f"/reviews/{review.pk}/reply/", {"reply": "x"}).status_code == 403
    assert client_as(world.other_owner).post(f"/reviews/{review.pk}/reply/", {"reply": "x"}).status_code == 404


def test_the_order_page_shows_a_hidden_review_to_its_parties_with_the_reason(client_as, world, completed):
    review = post(world, completed)
    services.review_hide(actor=world.moderator, review_id=review.pk, reason="Personal data in the comment.")

    block = section(client_as(world.buyer_owner).get(f"/orders/{completed.pk}/"), "order-review")

    assert "Hidden by a moderator: Personal data in the comment." in block


def test_the_order_page_runs_one_query_for_its_review(client_as, world, completed):
    client = client_as(world.seller_t_owner)
    without, _response = count(client, f"/orders/{completed.pk}/")
    review = post(world, completed)
    services.review_reply(actor=world.seller_t_owner, review_id=review.pk, text="Thanks.")

    with_review, _response = count(client, f"/orders/{completed.pk}/")

    assert with_review == without


# --- the listing and company pages -----------------------------------------------------------------

def test_the_listing_page_shows_the_rating_without_another_query(client, world, completed):
    url = f"/listings/{world.towel.pk}/"
    before, response = count(client, url)
    assert section(response, f"seller-rating-{world.seller_t.pk}") == (
        f'<p class="seller-rating" id="seller-rating-{world.seller_t.pk}"><span class="muted">No reviews yet'
        '</span></p>')

    post(world, completed, product=5, communication=4, shipping=4)
    after, response = count(client, url)

    assert after == before
    assert section(response, f"seller-rating-{world.seller_t.pk}") == (
        f'<p class="seller-rating" id="seller-rating-{world.seller_t.pk}">4.3 out of 5 from 1 review</p>')


def test_the_company_page_lists_visible_reviews_with_replies_and_report_forms(client_as, client, world, completed):
    second = order_in(world, OrderStatus.COMPLETED)
    shown = post(world, second, product=4, communication=4, shipping=4, comment="Fine.")
    services.review_reply(actor=world.seller_t_owner, review_id=shown.pk, text="Thank you.")
    hidden = post(world, completed, product=1, communication=1, shipping=1, comment="Spam spam.")
    services.review_hide(actor=world.moderator, review_id=hidden.pk, reason="Spam.")

    response = client.get(f"/companies/{world.seller_t.pk}/")
    reviews = section(response, "reviews")
    assert f'id="review-{shown.pk}"' in reviews and "Thank you." in reviews
    assert f'id="review-{hidden.pk}"' not in reviews and "Spam spam." not in reviews
    assert "4.0 out of 5 from 1 review" in reviews
    assert "A buyer from Germany" in reviews and "Gamma Handel" not in reviews
    assert "review-report-" not in reviews  # visitors do not report

    member = client_as(world.other_owner).get(f"/companies/{world.seller_t.pk}/")
    assert f'id="review-report-{shown.pk}"' in section(member, "reviews")
    author = client_as(world.buyer_staff).get(f"/companies/{world.seller_t.pk}/")
    assert "review-report-" not in section(author, "reviews")


def test_a_seller_without_reviews(client, world):
    response = client.get(f"/companies/{world.seller_c.pk}/")
    assert "No reviews yet" in section(response, "reviews")


def test_the_company_page_query_count_does_not_grow_with_the_reviews(client_as, world):
    client = client_as(world.other_owner)
    url = f"/companies/{world.seller_t.pk}/"
    post(world, order_in(world, OrderStatus.COMPLETED))
    few, _response = count(client, url)
    for _ in range(9):
        review = post(world, order_in(world, OrderStatus.COMPLETED))
        services.review_reply(actor=world.seller_t_owner, review_id=review.pk, text="Thanks.")

    many, response = count(client, url)

    assert len(response.context["review_rows"]) == 10
    assert many == few


def test_reporting_from_the_company_page(client_as, world, completed):
    review = post(world, completed)
    client = client_as(world.other_owner)
    url = f"/companies/{world.seller_t.pk}/"

    response = client.post(f"/reviews/{review.pk}/report/", {"reason": "", "next": url}, follow=True)
    assert texts(response) == ["Give the reason."]
    response = client.post(f"/reviews/{review.pk}/report/", {"reason": "Not about the goods.", "next": url},
                           follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert texts(response) == ["Thank you. A moderator will look at this review."]
    response = client.post(f"/reviews/{review.pk}/report/", {"reason": "Again", "next": url}, follow=True)
    assert texts(response) == ["You have already reported this review."]
    assert list(ReviewReport.objects.values_list("reporter_id", "reason")) == [
        (world.other_owner.pk, "Not about the goods.")]


# --- moderation -------------------------------------------------------------------------------------

def test_the_moderators_queue_hides_with_a_reason_and_dismisses(client_as, world, completed):
    review = post(world, completed)
    report = services.review_report(actor=world.other_owner, review=review, reason="Insults.")
    client = client_as(world.moderator)

    queue = client.get("/moderation/reviews/")
    row = section(queue, f"review-report-{report.pk}")
    assert "Insults." in row and "Other Buyer BV" in row and "Good towels." in row
    assert 'id="nav-review-moderation"' in queue.content.decode()

    response = client.post(f"/moderation/reviews/{review.pk}/hide/", {"reason": ""}, follow=True)
    assert texts(response) == ["Give the reason."]
    review.refresh_from_db()
    assert review.hidden_at is None

    response = client.post(f"/moderation/reviews/{review.pk}/hide/", {"reason": "Insulting words."}, follow=True)
    assert texts(response) == ["The review is hidden; both companies were told why."]
    review.refresh_from_db()
    assert (review.hidden_reason, review.hidden_by_id) == ("Insulting words.", world.moderator.pk)
    assert 'id="no-review-reports"' in response.content.decode()

    response = client.post(f"/moderation/reviews/{review.pk}/dismiss/", follow=True)
    assert texts(response) == ["This review has no open report."]


def test_the_queue_is_for_moderators_and_its_queries_do_not_grow(client_as, world):
    assert client_as(world.other_owner).get("/moderation/reviews/").status_code == 403
    client = client_as(world.moderator)
    review = post(world, order_in(world, OrderStatus.COMPLETED))
    services.review_report(actor=world.other_owner, review=review, reason="One")
    few, _response = count(client, "/moderation/reviews/")
    for _ in range(5):
        review = post(world, order_in(world, OrderStatus.COMPLETED))
        services.review_report(actor=world.other_owner, review=review, reason="More")
        services.review_report(actor=world.seller_c_owner, review=review, reason="Also")

    many, response = count(client, "/moderation/reviews/")

    assert len(response.context["reports"].object_list) == 11
    assert many == few


def test_a_moderator_shows_a_hidden_review_again_from_the_company_page(client_as, world, completed):
    review = post(world, completed, product=5, communication=5, shipping=5)
    services.review_hide(actor=world.moderator, review_id=review.pk, reason="Checked by mistake.")
    url = f"/companies/{world.seller_t.pk}/"
    assert f'id="review-unhide-{review.pk}"' not in client_as(world.other_owner).get(url).content.decode()
    assert client_as(world.other_owner).post(f"/moderation/reviews/{review.pk}/unhide/").status_code == 403
    client = client_as(world.moderator)
    page = section(client.get(url), "reviews")
    assert f'id="review-unhide-{review.pk}"' in page and "Hidden by a moderator: Checked by mistake." in page

    response = client.post(f"/moderation/reviews/{review.pk}/unhide/", {"next": url}, follow=True)

    assert texts(response) == ["The review is shown again and counts in the seller's average."]
    assert "5.0 out of 5 from 1 review" in section(response, "reviews")
    response = client.post(f"/moderation/reviews/{review.pk}/unhide/", {"next": url}, follow=True)
    assert texts(response) == ["This review is not hidden."]
