"""Orders to pay and statements to import, shared by the statement tests."""
from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from orders.models import Instalment, Order, OrderStatus, Payment
from statements import services, tasks
from statements.models import BankStatement, StatementEntry
from tests.orders.helpers import order_in


def accepted_order(world, listing=None) -> Order:
    """An order of the buyer, accepted by its seller (100% in advance: all of it is owed now)."""
    return order_in(world, OrderStatus.ACCEPTED, listing)


def owed(order: Order) -> Decimal:
    return sum((item.amount - item.paid_amount for item in Instalment.objects.filter(order=order)), Decimal("0.00"))


def upload(world, content: bytes, *, actor=None, company=None, name: str = "statement.xml",
           django_capture_on_commit_callbacks=None) -> BankStatement:
    company = company or world.seller_t
    return services.statement_upload(actor=actor or world.seller_t_owner, company_id=company.pk,
                                     uploaded_file=SimpleUploadedFile(name, content))


def import_statement(world, content: bytes, **kwargs) -> BankStatement:
    """Uploads the statement and runs the task's function in this process, as the worker would."""
    statement = upload(world, content, **kwargs)
    tasks.statement_process(statement.pk)
    statement.refresh_from_db()
    return statement


def entries(statement: BankStatement) -> list[StatementEntry]:
    return list(StatementEntry.objects.filter(statement=statement).order_by("position"))


def payments_of(order: Order) -> list[tuple]:
    return list(Payment.objects.filter(order=order).order_by("pk").values_list("amount", "currency", "source",
                                                                                "recorded_by", "reference", "note"))
