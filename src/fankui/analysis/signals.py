"""What the analysis tells the apps above it, so that it never imports them.

Sent inside the transaction that saved the results: a receiver that writes rows commits or rolls back with them.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``analyses``, a list of ``CaseAnalysis`` (with ``case`` and ``case.submission`` loaded), when the first
# or a later analysis of these cases finished: done, or failed for good (``status`` says which; a failed one has no
# urgency). The portal sends each new submitter the receipt then, with what the analysis found (an emergency).
analysis_finished = Signal()
