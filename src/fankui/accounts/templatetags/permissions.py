"""Templates ask ``accounts.permissions`` instead of comparing roles: ``{% load permissions %}``,
``{% if user|works_triage %}``."""

from __future__ import annotations

from django import template

from .. import permissions

register = template.Library()

register.filter("works_triage", permissions.works_triage)
register.filter("administers", permissions.administers)
register.filter("is_supervisor", permissions.is_supervisor)
register.filter("reads_audit_trail", permissions.reads_audit_trail)
register.filter("may_use_desk", permissions.may_use_desk)
register.filter("may_import", permissions.may_import)
register.filter("may_follow_up", permissions.may_follow_up)
