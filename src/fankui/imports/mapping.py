"""Which column of a file feeds which field of a submission: the one thing an import has to be told.

A mapping is ``{field: column name}``. ``guess`` recognises the usual headers (English and Chinese, the 问政 export
``id,user,title,time,body,reply,reply_time`` among them); ``parse`` reads ``--map body=内容,title=标题`` and a mapping
file (JSON object, or ``field=column`` lines); ``check`` says what is wrong with one against a file's header.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Every field a column can feed, in the order the admin page shows them, with the headers recognised for it
# (compared without case, spaces, underscores and hyphens).
FIELDS: dict[str, tuple[object, tuple[str, ...]]] = {
    "id": (gettext_lazy("Identifier in the source system"), ("id", "编号", "留言编号", "工单编号", "工单号", "caseid")),
    "title": (gettext_lazy("Title"), ("title", "subject", "标题", "主题", "留言主题", "诉求标题")),
    "body": (
        gettext_lazy("Text"),
        ("body", "text", "content", "description", "内容", "留言详情", "留言内容", "诉求内容", "详情", "问题描述"),
    ),
    "time": (
        gettext_lazy("Time received"),
        ("time", "receivedat", "date", "created", "时间", "留言时间", "受理时间", "来电时间", "日期", "提交时间"),
    ),
    "name": (gettext_lazy("Name"), ("name", "contactname", "姓名", "联系人", "诉求人")),
    "phone": (gettext_lazy("Phone"), ("phone", "mobile", "contactphone", "电话", "手机", "联系电话", "来电号码")),
    "email": (gettext_lazy("E-mail"), ("email", "mail", "contactemail", "邮箱", "电子邮件", "电子邮箱")),
    "address": (gettext_lazy("Address"), ("address", "地址", "事发地址", "地点", "详细地址")),
    "kind": (gettext_lazy("Kind"), ("kind", "type", "类型", "诉求类型", "诉求性质")),
    "category": (gettext_lazy("Category"), ("category", "分类", "类别", "诉求分类", "一级分类")),
    "department": (gettext_lazy("Lead department"), ("department", "承办单位", "承办部门", "主办单位", "办理单位")),
    "reply": (gettext_lazy("Official reply"), ("reply", "answer", "答复", "答复意见", "回复", "答复内容", "办理结果")),
    "reply_time": (gettext_lazy("Time replied"), ("replytime", "repliedat", "答复时间", "回复时间", "办结时间")),
    "state": (gettext_lazy("Final state"), ("state", "status", "状态", "办理状态", "工单状态")),
}
REQUIRED = ("body",)


class MappingError(ValueError):
    """A mapping that cannot be used; the message says why in one sentence."""


def _norm(name: str) -> str:
    return "".join(name.lower().split()).replace("_", "").replace("-", "")


def guess(header: list[str]) -> dict[str, str]:
    """The columns recognised by name; each column feeds one field at most."""
    by_name = {_norm(column): column for column in reversed(header) if column.strip()}
    chosen: dict[str, str] = {}
    for field, (_label, names) in FIELDS.items():
        for name in names:
            column = by_name.get(_norm(name))
            if column is not None and column not in chosen.values():
                chosen[field] = column
                break
    return chosen


def parse(pairs: str = "", file: str | Path | None = None) -> dict[str, str]:
    """``field=column`` pairs separated by commas, and/or a file of them (a JSON object or one pair a line); the
    pairs given on the command line win."""
    mapping: dict[str, str] = {}
    if file:
        text = Path(file).read_text(encoding="utf-8-sig")
        if text.lstrip().startswith("{"):
            try:
                loaded = json.loads(text)
            except json.JSONDecodeError as exc:
                raise MappingError(_("The mapping file is not valid JSON (%(error)s).") % {"error": exc}) from exc
            if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
                raise MappingError(_("The mapping file must be a JSON object of field names to column names."))
            mapping.update({str(k): v for k, v in loaded.items()})
        else:
            mapping.update(_pairs(text.splitlines()))
    mapping.update(_pairs(pairs.split(",")))
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise MappingError(
            _("Unknown field %(fields)s; the fields are: %(known)s.")
            % {"fields": ", ".join(unknown), "known": ", ".join(FIELDS)}
        )
    return mapping


def _pairs(items: list[str]) -> dict[str, str]:
    found = {}
    for item in items:
        if not item.strip() or item.lstrip().startswith("#"):
            continue
        field, sep, column = item.partition("=")
        # "title=" (no column) leaves a field out that would otherwise be recognised.
        if not sep or not field.strip():
            raise MappingError(_("“%(item)s” is not of the form field=column.") % {"item": item.strip()})
        found[field.strip()] = column.strip()
    return found


def complete(header: list[str], given: dict[str, str]) -> dict[str, str]:
    """The mapping to use: the fields given, and the recognised columns for the fields not given (a field given as
    an empty column is left out)."""
    mapping = {field: column for field, column in guess(header).items() if column not in given.values()}
    mapping.update(given)
    return {field: column for field, column in mapping.items() if column}


def check(header: list[str], mapping: dict[str, str]) -> str:
    """What is wrong with ``mapping`` for a file with ``header`` (an empty string: nothing)."""
    missing = [field for field in REQUIRED if not mapping.get(field)]
    if missing:
        return _(
            "No column holds the text of the requests (field “body”): name it, e.g. --map body=内容. "
            "The file's columns: %(columns)s."
        ) % {"columns": ", ".join(header) or "-"}
    absent = [f"{field}={column}" for field, column in mapping.items() if column not in header]
    if absent:
        return _("The file has no column %(pairs)s. Its columns: %(columns)s.") % {
            "pairs": ", ".join(absent),
            "columns": ", ".join(header) or "-",
        }
    return ""


def indexes(header: list[str], mapping: dict[str, str]) -> dict[str, int]:
    """Each mapped field's column position (the first column of that name)."""
    return {field: header.index(column) for field, column in mapping.items()}
