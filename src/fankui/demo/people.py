"""The demo organisation: a 12345 centre, seven bureaus with their sub-units, and one login per kind of work."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from fankui.accounts import services as accounts
from fankui.accounts.models import Department, Role, User
from fankui.core.site import public_url

PASSWORD = "demo12345"
CENTRE = ("市12345政务服务便民热线", "12345")


@dataclass(frozen=True)
class Bureau:
    category: str  # the first-level category it usually handles
    name: str
    code: str
    units: tuple[tuple[str, str], ...]


BUREAUS: tuple[Bureau, ...] = (
    Bureau(
        "城乡建设",
        "市住房和城乡建设局",
        "zhujian",
        (("物业管理科", "zhujian-wuye"), ("城建监察支队", "zhujian-jiancha")),
    ),
    Bureau("环境保护", "市生态环境局", "shengtai", (("环境监察支队", "shengtai-jiancha"),)),
    Bureau(
        "交通运输",
        "市交通运输局",
        "jiaotong",
        (("道路运输管理处", "jiaotong-yunguan"), ("公路建设养护中心", "jiaotong-gonglu")),
    ),
    Bureau("教育文体", "市教育局", "jiaoyu", (("基础教育处", "jiaoyu-jichu"),)),
    Bureau(
        "劳动和社会保障",
        "市人力资源和社会保障局",
        "renshe",
        (("社会保险服务中心", "renshe-shebao"), ("劳动保障监察支队", "renshe-jiancha")),
    ),
    Bureau("商贸旅游", "市商务局", "shangwu", (("市场秩序科", "shangwu-shichang"),)),
    Bureau(
        "卫生计生",
        "市卫生健康委员会",
        "weijian",
        (("医政医管处", "weijian-yizheng"), ("疾病预防控制中心", "weijian-jikong")),
    ),
)
FALLBACK_BUREAU = "zhujian"
# Property-management cases of the housing bureau go to its 物业管理科, so the bureau head has a subtree to watch.
PROPERTY_UNIT = "zhujian-wuye"


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    department: str | None  # code
    full_name: str


LOGINS: tuple[Login, ...] = (
    Login("dispatcher", Role.DISPATCHER, "12345", "陈晓静"),
    Login("supervisor", Role.SUPERVISOR, "12345", "刘建国"),
    Login("analyst", Role.ANALYST, "12345", "王思远"),
    Login("admin", Role.ADMIN, None, "系统管理员"),
    Login("zhujian_head", Role.DEPT_HEAD, "zhujian", "赵卫东"),
    Login("zhujian_handler", Role.HANDLER, "zhujian", "孙丽"),
    Login("wuye_handler", Role.HANDLER, PROPERTY_UNIT, "周明"),
    Login("shengtai_handler", Role.HANDLER, "shengtai", "吴海燕"),
    Login("jiaotong_handler", Role.HANDLER, "jiaotong", "郑磊"),
    Login("jiaoyu_handler", Role.HANDLER, "jiaoyu", "冯晓梅"),
    Login("renshe_handler", Role.HANDLER, "renshe", "何志强"),
    Login("shangwu_handler", Role.HANDLER, "shangwu", "许文静"),
    Login("weijian_handler", Role.HANDLER, "weijian", "高鹏"),
)
# Printed after the logins, under the site's address (core.site.public_url: where `make run` serves it).
PATHS = ("/", "/staff/", "/admin/", "/api/v1/docs")


@dataclass
class Organisation:
    centre: Department
    departments: dict[str, Department]  # by code
    by_category: dict[str, Department]  # first-level category name -> bureau
    users: dict[str, User]  # by username
    handlers: dict[int, User] = field(default_factory=dict)  # department id -> its handler
    created: set[str] = field(default_factory=set)  # usernames made now (the others existed before)

    @property
    def dispatcher(self) -> User:
        return self.users["dispatcher"]

    @property
    def supervisor(self) -> User:
        return self.users["supervisor"]


def create_organisation() -> Organisation:
    centre = accounts.create_department(*CENTRE, is_dispatch_centre=True)
    departments = {centre.code: centre}
    by_category = {}
    for order, bureau in enumerate(BUREAUS, start=1):
        parent = accounts.create_department(bureau.name, bureau.code, centre, sort_order=order)
        departments[bureau.code] = by_category[bureau.category] = parent
        for unit_order, (name, code) in enumerate(bureau.units, start=1):
            departments[code] = accounts.create_department(name, code, parent, sort_order=unit_order)
    users, created = {}, set()
    for login in LOGINS:
        existing = User.objects.filter(username=login.username).first()
        if existing is not None:
            # A user made before the demo (e.g. with createuser) is left as it is.
            users[login.username] = existing
            continue
        users[login.username] = accounts.create_user(
            login.username,
            PASSWORD,
            login.role,
            department=departments.get(login.department or ""),
            full_name=login.full_name,
        )
        created.add(login.username)
    organisation = Organisation(centre, departments, by_category, users, created=created)
    for login in LOGINS:
        user = users[login.username]
        if login.role == Role.HANDLER and user.role == Role.HANDLER and user.department_id:
            organisation.handlers[user.department_id] = user
    return organisation


def login_table(created: set[str] | None = None) -> list[str]:
    """Lines describing the demo logins that exist now (none when they were all deleted)."""
    users = {u.username: u for u in User.objects.filter(username__in=[login.username for login in LOGINS])}
    if not users:
        return []
    rows = [("username", "role", "department", "password")]
    for login in LOGINS:
        user = users.get(login.username)
        if user is None:
            continue
        department = user.department.name if user.department_id and user.department else "-"
        known = created is None or login.username in created
        rows.append((user.username, user.role or "-", department, PASSWORD if known else "(unchanged)"))
    widths = [max(_width(row[i]) for row in rows) for i in range(4)]
    lines = ["Demo logins:"]
    for row in rows:
        lines.append("  " + "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip())
    roles = ", ".join(sorted(settings.FANKUI_TWO_FACTOR_ROLES))
    if roles:
        lines.append(
            f"  ({roles}: set up an authenticator app at the first sign-in (a QR code is shown); "
            "FANKUI_TWO_FACTOR_ROLES=none turns this off for a demo on a laptop)"
        )
    base = public_url()
    lines += ["", "Open:", *(f"  {base}{path}" for path in PATHS)]
    return lines


def _width(text: str) -> int:
    """Terminal columns: Chinese characters take two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
