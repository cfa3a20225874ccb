"""Signals other apps listen to, so calls need not know who keeps figures derived from them."""

from django.dispatch import Signal

# Sent with start= and end= (aware datetimes) after CallRecord rows received in that span were
# written or changed, once the rows are committed or inside the writer's transaction.
call_records_changed = Signal()
