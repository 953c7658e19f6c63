"""The reviews API: exact bodies, the error codes of each rule, tenancy (another company's order is
404) and the public list of a seller's reviews with its average and count."""
from __future__ import annotations

import pytest

from accounts.models import VerificationStatus
from orders.models import OrderStatus
from reviews import services
from reviews.models import Review, ReviewReport
from tests.core.helpers import assert_error
from tests.orders.helpers import order_in
from tests.reviews.helpers import post, review_rows

pytestmark = pytest.mark.django_db
BODY = {"product": 5, "communication": 4, "shipping": 3, "comment": "Good towels."}


def url(order) -> str:
    return f"/api/v1/orders/{order.pk}/review/"


def test_the_buyer_posts_and_reads_the_review(as_user, world, completed):
    response = as_user(world.buyer_owner).post(url(completed), BODY, format="json")

    assert response.status_code == 201, response.content
    review = Review.objects.get()
    body = response.json()
    assert body == {
        "id": review.pk, "seller_id": world.seller_t.pk, "buyer_country": "DE", "product": 5, "communication": 4,
        "shipping": 3, "average": "4.00", "comment": "Good towels.",
        "created_at": body["created_at"], "reply": "", "replied_at": None, "hidden": False, "hidden_reason": "",
        "order_id": completed.pk, "buyer_id": world.buyer.pk, "buyer_name": "Gamma Handel GmbH"}
    assert as_user(world.seller_t_owner).get(url(completed)).json() == body


def test_get_of_an_order_without_review_is_404_and_of_another_companys_order_too(as_user, world, completed):
    assert_error(as_user(world.buyer_owner).get(url(completed)), 404, "not_found",
                 message="This order has no review yet.")
    post(world, completed)
    assert_error(as_user(world.other_owner).get(url(completed)), 404, "not_found")


def test_a_second_review_is_409_and_an_unfinished_order_409(as_user, world, completed):
    post(world, completed)
    assert_error(as_user(world.buyer_staff).post(url(completed), BODY, format="json"), 409, "already_reviewed",
                 message="This order has already been reviewed.")

    placed = order_in(world, OrderStatus.PLACED)
    assert_error(as_user(world.buyer_owner).post(url(placed), BODY, format="json"), 409, "order_not_completed",
                 message="You can review an order once it is completed.")
    assert Review.objects.count() == 1


def test_field_errors(as_user, world, completed):
    client = as_user(world.buyer_owner)
    assert_error(client.post(url(completed), {**BODY, "product": 6}, format="json"), 400, "validation_error",
                 fields={"product": ["Give a whole number from 1 to 5."]})
    assert_error(client.post(url(completed), {**BODY, "shipping": 0, "communication": "x"}, format="json"), 400,
                 "validation_error", fields={"shipping": ["Give a whole number from 1 to 5."],
                                             "communication": ["Give a whole number from 1 to 5."]})
    assert_error(client.post(url(completed), {**BODY, "comment": "c" * 2001}, format="json"), 400,
                 "validation_error", fields={"comment": ["Ensure this field has no more than 2000 characters."]})
    assert_error(client.post(url(completed), {"comment": "Fine"}, format="json"), 400, "validation_error",
                 fields={"product": ["This field is required."], "communication": ["This field is required."],
                         "shipping": ["This field is required."]})
    assert_error(client.post(url(completed), {**BODY, "buyer": 1}, format="json"), 400, "validation_error",
                 fields={"buyer": ["This field cannot be set."]})
    assert Review.objects.count() == 0


def test_who_may_post(as_user, world, completed, api_client):
    assert_error(as_user(world.other_owner).post(url(completed), BODY, format="json"), 404, "not_found")
    assert_error(as_user(world.seller_t_owner).post(url(completed), BODY, format="json"), 403, "own_company")
    api_client.force_authenticate(None)
    assert api_client.post(url(completed), BODY, format="json").status_code == 401
    assert Review.objects.count() == 0


def test_reply_once_by_the_seller(as_user, world, completed):
    review = post(world, completed)
    reply_url = f"/api/v1/reviews/{review.pk}/reply/"

    assert_error(as_user(world.buyer_owner).post(reply_url, {"reply": "Hi"}, format="json"), 403,
                 "permission_denied", message="Only the reviewed company can reply.")
    assert_error(as_user(world.other_owner).post(reply_url, {"reply": "Hi"}, format="json"), 404, "not_found")
    assert_error(as_user(world.seller_t_owner).post(reply_url, {"reply": ""}, format="json"), 400,
                 "validation_error", fields={"reply": ["This field may not be blank."]})
    response = as_user(world.seller_t_owner).post(reply_url, {"reply": "Thank you."}, format="json")
    assert response.status_code == 200
    assert (response.json()["reply"], response.json()["replied_at"] is not None) == ("Thank you.", True)
    assert_error(as_user(world.seller_t_owner).post(reply_url, {"reply": "Again"}, format="json"), 409,
                 "already_replied", message="This review already has a reply.")


def test_the_public_list_shows_visible_reviews_with_the_average_and_count(api_client, as_user, world, completed):
    second = order_in(world, OrderStatus.COMPLETED)
    shown = post(world, second, product=4, communication=4, shipping=5, comment="")
    hidden = post(world, completed, product=1, communication=1, shipping=1)
    services.review_hide(actor=world.moderator, review_id=hidden.pk, reason="Abusive words.")
    seller_url = f"/api/v1/sellers/{world.seller_t.pk}/reviews/"

    api_client.force_authenticate(None)
    body = api_client.get(seller_url).json()
    assert body["count"] == 1
    assert body["rating"] == {"review_count": 1, "average": "4.33", "product": "4.00", "communication": "4.00",
                              "shipping": "5.00"}
    assert [row["id"] for row in body["results"]] == [shown.pk]
    assert "buyer_name" not in body["results"][0]

    moderated = as_user(world.moderator).get(seller_url).json()
    assert [(row["id"], row["hidden"], row["hidden_reason"]) for row in moderated["results"]] == [
        (hidden.pk, True, "Abusive words."), (shown.pk, False, "")]
    assert moderated["rating"]["review_count"] == 1


def test_a_seller_without_reviews_and_a_company_that_cannot_be_seen(api_client, world):
    body = api_client.get(f"/api/v1/sellers/{world.seller_c.pk}/reviews/").json()
    assert body == {"count": 0, "next": None, "previous": None, "results": [],
                    "rating": {"review_count": 0, "average": None, "product": None, "communication": None,
                               "shipping": None}}
    world.seller_c.verification_status = VerificationStatus.PENDING
    world.seller_c.save(update_fields=["verification_status"])
    assert_error(api_client.get(f"/api/v1/sellers/{world.seller_c.pk}/reviews/"), 404, "not_found")
    assert_error(api_client.get(f"/api/v1/sellers/{world.seller_t.pk}/reviews/?page_size=0"), 400,
                 "validation_error", fields={"page_size": ["Give a whole number from 1 up (at most 100 are shown)."]})


def test_report_hide_and_the_moderators_queue(as_user, world, completed):
    review = post(world, completed)
    report_url = f"/api/v1/reviews/{review.pk}/report/"

    assert_error(as_user(world.buyer_owner).post(report_url, {"reason": "x"}, format="json"), 403, "own_company")
    assert_error(as_user(world.other_owner).post(report_url, {"reason": ""}, format="json"), 400,
                 "validation_error", fields={"reason": ["This field may not be blank."]})
    response = as_user(world.other_owner).post(report_url, {"reason": "Fake."}, format="json")
    assert response.status_code == 201
    report = ReviewReport.objects.get()
    assert response.json() == {"id": report.pk, "review_id": review.pk, "reason": "Fake.",
                               "created_at": response.json()["created_at"], "resolved_at": None, "decision": ""}
    assert_error(as_user(world.other_owner).post(report_url, {"reason": "Fake."}, format="json"), 409,
                 "duplicate_report")

    assert_error(as_user(world.other_owner).get("/api/v1/review-reports/"), 403, "permission_denied")
    queue = as_user(world.moderator).get("/api/v1/review-reports/").json()
    assert [(row["id"], row["company_name"], row["review"]["id"]) for row in queue["results"]] == [
        (report.pk, "Other Buyer BV", review.pk)]

    hide_url = f"/api/v1/reviews/{review.pk}/hide/"
    assert_error(as_user(world.seller_t_owner).post(hide_url, {"reason": "No"}, format="json"), 403,
                 "permission_denied")
    assert_error(as_user(world.moderator).post(hide_url, {}, format="json"), 400, "validation_error",
                 fields={"reason": ["This field is required."]})
    before = review_rows()
    assert before["reviews"][0][-1] == ""
    response = as_user(world.moderator).post(hide_url, {"reason": "Not about the trade."}, format="json")
    assert response.status_code == 200
    assert (response.json()["hidden"], response.json()["hidden_reason"]) == (True, "Not about the trade.")
    assert as_user(world.moderator).get("/api/v1/review-reports/").json()["results"] == []
    # Hidden, it cannot be reported by others any more.
    assert_error(as_user(world.seller_c_owner).post(report_url, {"reason": "x"}, format="json"), 404, "not_found")
    assert_error(as_user(world.moderator).post(hide_url, {"reason": "Again"}, format="json"), 409, "already_hidden")
    assert as_user(world.moderator).post(f"/api/v1/reviews/{review.pk}/unhide/", {}, format="json").json()[
        "hidden"] is False


def test_dismiss_reports(as_user, world, completed):
    review = post(world, completed)
    services.review_report(actor=world.other_owner, review=review, reason="Fake")
    dismiss_url = f"/api/v1/reviews/{review.pk}/dismiss-reports/"
    assert as_user(world.moderator).post(dismiss_url, {}, format="json").json() == {"dismissed": 1}
    assert_error(as_user(world.moderator).post(dismiss_url, {}, format="json"), 409, "no_open_report")
    assert_error(as_user(world.moderator).post("/api/v1/reviews/999999/hide/", {"reason": "x"}, format="json"),
                 404, "not_found")
