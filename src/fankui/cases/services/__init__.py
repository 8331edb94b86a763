"""Every change to a case, one module a job. Pages, the API, imports and the worker all call these functions.

- ``receiving``: the one door of every channel, which opens the case;
- ``moves``: the workflow's moves (each locks the case, checks ``workflow.TRANSITIONS``, changes the state and
  writes one event, in one transaction) and ``perform``, a staff action by its name;
- ``classification``: the category tree, and kinds and categories set by staff or by the analysis;
- ``history``: imported past cases replayed through the workflow table.
"""

from __future__ import annotations

from ..models import Case

MAX_TEXT = 10_000


def locked(case: Case) -> Case:
    """Re-read the case under a row lock so that two people acting at once cannot both move it."""
    return Case.objects.select_for_update(of=("self",)).select_related("lead_department").get(pk=case.pk)
