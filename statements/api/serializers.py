"""Input shapes (unknown keys refused, sizes bounded; the services check the values) and output shapes."""
from __future__ import annotations

from rest_framework import serializers

from core.api import StrictInputMixin
from statements.models import BankStatement, StatementEntry


class StatementUploadSerializer(StrictInputMixin, serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, max_length=255,
                                 help_text="An ISO 20022 camt.053 (XML) or SWIFT MT940 statement of your bank "
                                           "account; the format is told by the content. At most 20 MB and 20,000 "
                                           "entries by default (STATEMENT_MAX_BYTES, STATEMENT_MAX_ENTRIES).")


class EntryAssignSerializer(StrictInputMixin, serializers.Serializer):
    order_id = serializers.IntegerField(min_value=1, max_value=2_147_483_647,
                                        help_text="One of your orders, paid in the currency of the entry.")


class EntryDismissSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why the entry is set aside, e.g. “excess refunded”.")


class StatementCountsSerializer(serializers.Serializer):
    matched = serializers.IntegerField(source="matched_count", help_text="Paid what the order owed.")
    partial = serializers.IntegerField(source="partial_count", help_text="Paid part of what the order owed.")
    over = serializers.IntegerField(source="over_count", help_text="Paid more than owed; the excess is flagged.")
    unmatched = serializers.IntegerField(source="unmatched_count", help_text="Names none of your orders.")
    ambiguous = serializers.IntegerField(source="ambiguous_count",
                                         help_text="Names several orders and is not what they owe together.")
    wrong_currency = serializers.IntegerField(source="wrong_currency_count",
                                              help_text="In another currency than the order.")
    duplicate = serializers.IntegerField(source="duplicate_count", help_text="Imported before; nothing recorded.")
    ignored_debits = serializers.IntegerField(source="debit_count", help_text="Outgoing payments, ignored.")
    assigned = serializers.IntegerField(source="assigned_count", help_text="Assigned to an order by you.")
    dismissed = serializers.IntegerField(source="dismissed_count", help_text="Dismissed by you.")
    to_review = serializers.IntegerField(source="review_count",
                                         help_text="Unmatched, ambiguous, wrong currency and overpaid entries.")


class BankStatementSerializer(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField(read_only=True)
    counts = StatementCountsSerializer(source="*", read_only=True)

    class Meta:
        model = BankStatement
        fields = ["id", "company", "original_name", "format", "statement_id", "account", "status", "total_entries",
                  "processed_entries", "progress_percent", "counts", "error", "created_at", "started_at",
                  "finished_at"]
        read_only_fields = fields


class StatementEntrySerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                      help_text="What the bank booked, in `currency`: for a credit, what the "
                                                "payer transferred to you.")
    recorded_amount = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                               help_text="Recorded as the buyer's payment(s) to you, in `currency`.")
    excess = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                      help_text="Received from the buyer above what was owed, in `currency`; not "
                                                "recorded; yours to refund or settle.")
    payments = serializers.PrimaryKeyRelatedField(many=True, read_only=True,
                                                  help_text="Ids of the order payments this entry recorded.")
    order = serializers.PrimaryKeyRelatedField(read_only=True, help_text="The order the entry paid or names.")
    orders = serializers.ListField(child=serializers.IntegerField(), read_only=True,
                                   help_text="Every order of yours the entry's references name.")
    references = serializers.ListField(child=serializers.CharField(), read_only=True,
                                       help_text="RF references found in the entry.")

    class Meta:
        model = StatementEntry
        fields = ["id", "position", "entry_reference", "booking_date", "credit", "amount", "currency",
                  "counterparty", "remittance", "structured_reference", "references", "outcome", "order", "orders",
                  "payments", "recorded_amount", "excess", "note", "duplicate_of", "review_note", "reviewed_at"]
        read_only_fields = fields
