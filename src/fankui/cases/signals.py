"""What other apps may listen to in a case's life, so that ``cases`` never imports them.

Both signals are sent inside the transaction that made the change, after the event was written: a receiver that
writes rows (SLA clocks, say) commits or rolls back together with the move. A receiver that starts work elsewhere
must wrap it in ``transaction.on_commit``. Receivers must not change ``case.state``: only ``cases.services`` does.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``cases`` (a list: one from a web form, a chunk from an import) when submissions' cases are opened, and
# ``moves``: None for new requests (state "received"), or for imported history a dict of each case's replayed moves
# by its id (``[(source, target, at), ...]``, already applied to the case), so that receivers lay out its past.
# One signal per batch, so a receiver writes its rows for the whole batch at once (docs/decisions/0011).
cases_created = Signal()

# Sent with ``case``, ``action``, ``source`` (state before), ``target`` (state after) and ``user`` (None when a
# citizen or the system acted) after every transition of the workflow table.
case_moved = Signal()

# Sent with ``changes`` and ``user`` (None when the analysis acted) when something that chooses a case's deadlines
# changed, with or without a move: its kind or category, or the urgency the analysis found (which lives in the
# analysis app). ``changes`` is a list of ``(case, {"kind": {"from": ..., "to": ...}, ...})`` pairs, one per case
# (the analysis sends a whole batch at once); each case carries its new values. The SLA re-applies its policies.
cases_reclassified = Signal()

# Sent with ``case`` and ``supplement`` when someone wrote again on a case (``services.supplements``), inside its
# transaction, before the event is written. A receiver returns True when it took the supplement as the answer it was
# waiting for (the SLA: the contact answered its open request for information); the timeline then shows the words
# once, in that receiver's own event.
supplement_added = Signal()
