"""Reads about imports shared by pages and checks."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fankui.core.doctor import FAIL, OK, Finding

from . import files, services


def files_finding() -> Finding:
    """`fankui doctor`: every unfinished import's file can be read from the attachment store by this machine (a web
    machine that kept an upload in a folder the workers do not share shows here as missing)."""
    jobs = services.pending_jobs()
    missing = [job for job in jobs if not files.exists(job.path)]
    if missing:
        names = ", ".join(f"{job.pk} {job.original_name}" for job in missing[:5])
        return Finding(
            "imports",
            FAIL,
            _("the files of %(count)d unfinished imports are missing: %(names)s")
            % {
                "count": len(missing),
                "names": names,
            },
        )
    return Finding(
        "imports", OK, _("%(count)d unfinished imports, their files in the attachment store") % {"count": len(jobs)}
    )
