"""What the SLA app tells the apps above it, so that it never imports them (the portal tells the citizen).

Sent inside the transaction of the change, after its event was written: a receiver that queues a message commits
or rolls back together with it.
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent with ``case`` and ``request`` (an ``InfoRequest``) when staff ask the submitter for more information.
info_requested = Signal()

# Sent with ``case``, ``request`` and ``how`` when an information request ends: "answered" (the submitter answered),
# "staff" (a member of staff resumed the clocks) or "timeout" (no answer came within the waiting time).
info_closed = Signal()

# Sent with ``case`` and ``extension`` when a supervisor approved more time for the case.
extension_approved = Signal()
