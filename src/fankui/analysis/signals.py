"""What the analysis tells the apps above it, so that it never imports them.

``analysis_finished`` is sent inside the transaction that saved the results: a receiver that writes rows commits or
rolls back with them. ``analyses_committed`` and ``analyses_saved`` come after that transaction committed, the second
inside a transaction that also marks its receivers' work done (``models.Followup.SAVED``): a worker killed before
that commit leaves the work to the follow-up sweep, which sends both again, so it is done once in effect.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``analyses``, a list of ``CaseAnalysis`` (with ``case`` and ``case.submission`` loaded), when the first
# or a later analysis of these cases finished: done, or failed for good (``status`` says which; a failed one has no
# urgency). The portal sends each new submitter the receipt then, with what the analysis found (an emergency).
analysis_finished = Signal()

# Sent with ``analyses`` (as above, all done) after the batch that analysed them committed, outside any transaction,
# right before ``analyses_saved``: for reading ahead without holding a lock (the topics app brings its duplicate index
# up to the batch; on SQLite a transaction holds the write lock, and so every intake). Writes nothing.
analyses_committed = Signal()

# Sent with ``analyses`` (as above, all done, locked on PostgreSQL) inside the transaction that marks their follow-up
# done: the topics app finds their likely duplicates and hot topics then. What a receiver writes commits with that
# mark or not at all. A receiver must not raise (the analysis is saved whatever it does): a failure of its own is
# kept on the analysis (``error``) and not tried again.
analyses_saved = Signal()
