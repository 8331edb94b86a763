"""What the analysis tells the apps above it, so that it never imports them.

``analysis_finished`` is sent inside the transaction that saved the results: a receiver that writes rows commits or
rolls back with them. ``analyses_saved`` is sent after that transaction committed.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``analyses``, a list of ``CaseAnalysis`` (with ``case`` and ``case.submission`` loaded), when the first
# or a later analysis of these cases finished: done, or failed for good (``status`` says which; a failed one has no
# urgency). The portal sends each new submitter the receipt then, with what the analysis found (an emergency).
analysis_finished = Signal()

# Sent with ``analyses`` (as above, all done) after the batch that analysed them committed, outside any transaction:
# the topics app finds their likely duplicates and hot topics then, in transactions of its own. A receiver must not
# raise (the analysis is saved whatever it does).
analyses_saved = Signal()
