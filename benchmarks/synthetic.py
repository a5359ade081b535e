"""Plausible synthetic data for demos and benchmarks, generated in bulk.

Everything made here points at one Source of kind SYNTHETIC and every slug starts with "demo-",
so none of it can pass for the department's real records. The same seed on an empty database
gives the same rows, including each award's key.

The small tables are written with bulk_create, the unit tree level by level so that parents have
their ids; people and awards, by far the most numerous, as multi-row INSERTs of plain tuples (see
_RowInserter; on PostgreSQL, COPY for the rows whose ids are not needed back), a batch at a time
so memory stays flat. On PostgreSQL the big tables' secondary indexes and constraints are made
again after the load (_built_after_the_load) rather than kept up row by row. Neither way calls
Model.save(), so what save() would fill (search_text and marked_text, an award's rank and
position at the time) is filled here, from ids and pre-folded text kept in memory: no row costs a
query of its own. The whole run is one transaction.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from bisect import bisect
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

from django.core.management import call_command
from django.db import connection, models, reset_queries, transaction

from movement.models import (
    Award,
    AwardType,
    Campaign,
    Discipline,
    Initiative,
    Inspection,
    Person,
    PersonRating,
    Rank,
    Rating,
    RecipientKind,
    Source,
    Task,
    Unit,
    WorkArea,
    WorkPlan,
)
from movement.models.base import STAFF_SEARCH_SEPARATOR
from movement.text import code_from_name, fold, marked

SOURCE_SLUG = "du-lieu-mo-phong"
SOURCE_TITLE = "Dữ liệu mô phỏng (không phải dữ liệu thật)"
SLUG_PREFIX = "demo-"
DECISION_PREFIX = "QĐ-DEMO-"
FIRST_YEAR = 2005
LAST_YEAR = 2026
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)
PLAN_YEARS = range(2020, LAST_YEAR + 1)

# Share of awards by recipient: most go to people, some to units, a few to unnamed groups.
PERSON_SHARE = 0.80
UNIT_SHARE = 0.17
# Of the awards to people, the share that follows careers (titles a year, chains of titles,
# medals for years of service: _Careers); the rest are certificates drawn at random.
CAREER_SHARE = 0.8

Category = AwardType.Category
Conferrer = AwardType.Conferrer
Class = AwardType.Class
# Who a type goes to: (for individuals, for collectives).
PEOPLE, UNITS, BOTH = (True, False), (False, True), (True, True)


class Catalogued(NamedTuple):
    name: str
    category: str
    conferred_by: str
    for_individuals: bool
    for_collectives: bool
    frequency: float  # relative to the others, among the awards generated
    award_class: str = Class.NONE


AWARD_CATALOGUE = [
    Catalogued("Giấy khen", Category.CERTIFICATE, Conferrer.UNIT_HEAD, *BOTH, 40),
    Catalogued("Chiến sĩ tiên tiến", Category.TITLE, Conferrer.UNIT_HEAD, *PEOPLE, 30),
    Catalogued("Chiến sĩ thi đua cơ sở", Category.TITLE, Conferrer.UNIT_HEAD, *PEOPLE, 20),
    Catalogued(
        "Chiến sĩ thi đua toàn lực lượng Công an nhân dân",
        Category.TITLE, Conferrer.MINISTER, *PEOPLE, 2,
    ),
    Catalogued(
        "Chiến sĩ thi đua toàn quốc", Category.TITLE, Conferrer.PRIME_MINISTER, *PEOPLE, 0.3
    ),
    Catalogued("Đơn vị tiên tiến", Category.TITLE, Conferrer.UNIT_HEAD, *UNITS, 12),
    Catalogued("Đơn vị Quyết thắng", Category.TITLE, Conferrer.UNKNOWN, *UNITS, 6),
    Catalogued(
        "Bằng khen của Bộ trưởng Bộ Công an",
        Category.CERTIFICATE_OF_MERIT, Conferrer.MINISTER, *BOTH, 15,
    ),
    Catalogued(
        "Bằng khen của Thủ tướng Chính phủ",
        Category.CERTIFICATE_OF_MERIT, Conferrer.PRIME_MINISTER, *BOTH, 2,
    ),
    Catalogued("Cờ thi đua của Bộ Công an", Category.FLAG, Conferrer.MINISTER, *UNITS, 2),
    Catalogued("Cờ thi đua của Chính phủ", Category.FLAG, Conferrer.PRIME_MINISTER, *UNITS, 0.5),
    Catalogued("Huy chương Vì an ninh Tổ quốc", Category.MEDAL, Conferrer.MINISTER, *PEOPLE, 3),
    *(
        Catalogued(
            "Huy chương Chiến sĩ vẻ vang", Category.MEDAL, Conferrer.MINISTER, *PEOPLE, 1, grade
        )
        for grade in (Class.FIRST, Class.SECOND, Class.THIRD)
    ),
    *(
        Catalogued(name, Category.ORDER, Conferrer.STATE_PRESIDENT, *BOTH, frequency, grade)
        for name in ("Huân chương Bảo vệ Tổ quốc", "Huân chương Chiến công")
        for grade, frequency in ((Class.FIRST, 0.1), (Class.SECOND, 0.25), (Class.THIRD, 0.6))
    ),
]  # fmt: skip

# The types people earn along their careers (_Careers), by (name, class): never drawn at random.
ADVANCED = ("Chiến sĩ tiên tiến", Class.NONE)
GRASSROOTS = ("Chiến sĩ thi đua cơ sở", Class.NONE)
MINISTRY = ("Chiến sĩ thi đua toàn lực lượng Công an nhân dân", Class.NONE)
NATIONAL = ("Chiến sĩ thi đua toàn quốc", Class.NONE)
SECURITY_MEDAL = ("Huy chương Vì an ninh Tổ quốc", Class.NONE)
GLORY_MEDALS = {  # years of service → Huy chương Chiến sĩ vẻ vang of that class
    10: ("Huy chương Chiến sĩ vẻ vang", Class.THIRD),
    15: ("Huy chương Chiến sĩ vẻ vang", Class.SECOND),
    20: ("Huy chương Chiến sĩ vẻ vang", Class.FIRST),
}
CAREER_TYPES = {ADVANCED, GRASSROOTS, MINISTRY, NATIONAL, SECURITY_MEDAL, *GLORY_MEDALS.values()}
# Years of service by rank tier: a general has served long, a private a year or a few.
SERVICE_YEARS = {
    Rank.Tier.GENERAL: (25, 35),
    Rank.Tier.FIELD: (12, 32),
    Rank.Tier.COMPANY: (3, 16),
    Rank.Tier.NCO: (1, 6),
    Rank.Tier.ENLISTED: (1, 3),
}
# The share of people keen enough to be rated excellent most years and to earn CSTĐ cơ sở.
KEEN = 0.6
# The last year rated and awarded titles: the current year's reviews come at its end.
LAST_RATED_YEAR = 2025

INITIATIVE_SUBJECTS = [
    "cải tiến quy trình tiếp nhận hồ sơ", "ứng dụng phần mềm quản lý đối tượng",
    "nâng cao hiệu quả tuần tra kiểm soát", "số hóa hồ sơ nghiệp vụ",
    "phối hợp với Nhân dân phòng, chống tội phạm", "cải tiến công tác hậu cần",
]  # fmt: skip
GROUP_NOTE = "Danh sách kèm theo quyết định"
# The key of a named person's random awards in _Builder.award_types, beside RecipientKind's.
PERSON = "person"

# Sixteen family names carried by about nine Vietnamese in ten, with rough frequencies.
FAMILY_NAMES = {
    "Nguyễn": 38,
    "Trần": 11,
    "Lê": 9.5,
    "Phạm": 7,
    "Hoàng": 3,
    "Huỳnh": 2.1,
    "Phan": 4.5,
    "Vũ": 2,
    "Võ": 1.9,
    "Đặng": 2.1,
    "Bùi": 2,
    "Đỗ": 1.4,
    "Hồ": 1.3,
    "Ngô": 1.3,
    "Dương": 1,
    "Lý": 0.5,
}
MALE_MIDDLE_NAMES = [
    "Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Xuân", "Thanh", "Ngọc", "Đình", "Trọng",
    "Quốc", "Mạnh", "Tiến", "Việt", "Hoàng", "Anh", "Duy",
]  # fmt: skip
FEMALE_MIDDLE_NAMES = [
    "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Kim", "Hồng", "Diệu", "Thùy", "Bích",
    "Khánh", "Mỹ", "Hải",
]  # fmt: skip
MALE_GIVEN_NAMES = [
    "Anh", "Bình", "Cường", "Dũng", "Đạt", "Đông", "Giang", "Hải", "Hiếu", "Hùng", "Huy",
    "Khang", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lực", "Mạnh", "Minh", "Nam", "Nghĩa",
    "Phong", "Phúc", "Quân", "Quang", "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn",
    "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Khảo", "Hưng", "Lộc", "Trường",
]  # fmt: skip
FEMALE_GIVEN_NAMES = [
    "An", "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng",
    "Hương", "Huyền", "Lan", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung",
    "Oanh", "Phương", "Quỳnh", "Thảo", "Thanh", "Thủy", "Trang", "Trinh", "Tuyết", "Uyên",
    "Vân", "Yến",
]  # fmt: skip
FEMALE_SHARE = 0.15

# Relative frequency of each rank, by name: most officers hold a middle rank.
RANK_FREQUENCIES = {
    "Đại tướng": 0,
    "Thượng tướng": 0.01,
    "Trung tướng": 0.05,
    "Thiếu tướng": 0.2,
    "Đại tá": 2,
    "Thượng tá": 6,
    "Trung tá": 12,
    "Thiếu tá": 16,
    "Đại úy": 18,
    "Thượng úy": 15,
    "Trung úy": 12,
    "Thiếu úy": 8,
    "Thượng sĩ": 4,
    "Trung sĩ": 3,
    "Hạ sĩ": 2,
    "Binh nhất": 1,
    "Binh nhì": 0.5,
}
# A rank held now was reached by promotions; an award this many years back finds one rank less.
YEARS_PER_PROMOTION = 4
# How often an officer of each tier heads or deputises for their unit.
HEAD_AND_DEPUTY_SHARE = {
    Rank.Tier.GENERAL: (0.3, 0.5),
    Rank.Tier.FIELD: (0.1, 0.25),
    Rank.Tier.COMPANY: (0.02, 0.08),
}

# (name, short name, kind) of the units directly under the ministry, general departments first.
MINISTRY_UNITS = [
    ("Tổng cục Chính trị Công an nhân dân", "TCCT", Unit.Kind.GENERAL_DEPARTMENT),
    ("Tổng cục An ninh", "TCAN", Unit.Kind.GENERAL_DEPARTMENT),
    ("Tổng cục Cảnh sát", "TCCS", Unit.Kind.GENERAL_DEPARTMENT),
    ("Tổng cục Hậu cần - Kỹ thuật", "TCHC-KT", Unit.Kind.GENERAL_DEPARTMENT),
    ("Văn phòng Bộ Công an", "VP BCA", Unit.Kind.DEPARTMENT),
    ("Thanh tra Bộ Công an", "TTr BCA", Unit.Kind.DEPARTMENT),
]
# Centrally governed cities first, then the provinces, as before the 2025 mergers.
CITIES = ["Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ"]
PROVINCES = [
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre",
    "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk",
    "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam",
    "Hà Tĩnh", "Hải Dương", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang",
    "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An",
    "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi",
    "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên",
    "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long",
    "Vĩnh Phúc", "Yên Bái",
]  # fmt: skip
DISTRICTS = [
    "Đông Anh", "Gia Lâm", "Sóc Sơn", "Thanh Trì", "Mê Linh", "Ba Vì", "Củ Chi", "Hóc Môn",
    "Bình Chánh", "Nhà Bè", "Cần Giờ", "Thủy Nguyên", "An Dương", "Kiến Thụy", "Tiên Lãng",
    "Vĩnh Bảo", "Hòa Vang", "Phong Điền", "Cờ Đỏ", "Thới Lai", "Vĩnh Thạnh", "Yên Dũng",
    "Lục Nam", "Hiệp Hòa", "Tiên Du", "Quế Võ", "Gia Bình", "Chợ Mới", "Phú Tân", "Tịnh Biên",
    "Đức Thọ", "Can Lộc", "Kỳ Anh", "Diễn Châu", "Quỳnh Lưu", "Nam Đàn", "Thanh Chương",
    "Đô Lương", "Nghi Lộc", "Hưng Nguyên", "Yên Thành", "Hoằng Hóa", "Quảng Xương",
    "Thọ Xuân", "Triệu Sơn", "Nông Cống", "Hậu Lộc", "Nga Sơn", "Vĩnh Lộc", "Kim Sơn",
    "Yên Khánh", "Gia Viễn", "Nho Quan", "Hải Hậu", "Giao Thủy", "Xuân Trường", "Nghĩa Hưng",
    "Ý Yên", "Vụ Bản", "Tiền Hải", "Kiến Xương", "Vũ Thư", "Quỳnh Phụ", "Đông Hưng",
    "Thái Thụy", "Hưng Hà", "Văn Lâm", "Khoái Châu", "Krông Pắc", "Ea Súp", "Bảo Lộc",
]  # fmt: skip
# What a district-level area is, with relative frequencies: mostly rural districts.
DISTRICT_FORMS = {"huyện": 17, "thị xã": 2, "thành phố": 1}
DEPARTMENTS = [
    "Cục Cảnh sát hình sự", "Cục Cảnh sát giao thông", "Cục Cảnh sát kinh tế",
    "Cục Cảnh sát điều tra tội phạm về ma túy",
    "Cục Cảnh sát quản lý hành chính về trật tự xã hội",
    "Cục Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ", "Cục An ninh chính trị nội bộ",
    "Cục An ninh kinh tế", "Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
    "Cục Xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc", "Cục Tổ chức cán bộ",
    "Cục Công tác đảng và công tác chính trị", "Cục Đào tạo", "Cục Kế hoạch và tài chính",
    "Cục Trang bị và kho vận", "Cục Y tế", "Cục Quản lý xuất nhập cảnh", "Cục Hồ sơ nghiệp vụ",
    "Cục Pháp chế và cải cách hành chính, tư pháp", "Cục Truyền thông Công an nhân dân",
]  # fmt: skip
DIVISIONS = [
    "Phòng Tham mưu", "Phòng Tổ chức cán bộ", "Phòng Hậu cần", "Phòng Cảnh sát hình sự",
    "Phòng Cảnh sát giao thông", "Phòng Cảnh sát kinh tế", "Phòng An ninh chính trị nội bộ",
    "Phòng An ninh kinh tế", "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
    "Phòng Cảnh sát điều tra tội phạm về ma túy",
    "Phòng Cảnh sát quản lý hành chính về trật tự xã hội",
    "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ", "Phòng Cảnh sát cơ động",
    "Phòng Quản lý xuất nhập cảnh", "Phòng Hồ sơ", "Phòng Kỹ thuật hình sự",
    "Phòng Cảnh sát thi hành án hình sự và hỗ trợ tư pháp",
    "Phòng Công tác đảng và công tác chính trị", "Phòng Pháp chế",
    "Phòng Xây dựng phong trào bảo vệ an ninh Tổ quốc",
    "Phòng Cảnh sát điều tra tội phạm về trật tự xã hội", "Phòng An ninh điều tra",
    "Phòng An ninh đối ngoại", "Phòng Cảnh sát bảo vệ",
]  # fmt: skip
TEAMS = [
    "Đội Tổng hợp", "Đội Cảnh sát hình sự", "Đội Cảnh sát giao thông - trật tự",
    "Đội Cảnh sát điều tra tội phạm về ma túy", "Đội An ninh",
    "Đội Cảnh sát quản lý hành chính về trật tự xã hội", "Đội Cảnh sát kinh tế",
    "Đội Cảnh sát thi hành án hình sự và hỗ trợ tư pháp", "Đội Xây dựng phong trào",
]  # fmt: skip
# How many people a unit of each kind holds, relative to the others.
STAFF_WEIGHTS = {
    Unit.Kind.MINISTRY: 2,
    Unit.Kind.GENERAL_DEPARTMENT: 5,
    Unit.Kind.DEPARTMENT: 20,
    Unit.Kind.DIVISION: 30,
    Unit.Kind.PROVINCIAL_POLICE: 10,
    Unit.Kind.DISTRICT_POLICE: 25,
}

MOVEMENTS = [
    ("Phong trào Toàn dân bảo vệ an ninh Tổ quốc", "toan-dan-bao-ve-antq", FIRST_YEAR, None),
    (
        "Phong trào “Công an nhân dân học tập, thực hiện Sáu điều Bác Hồ dạy”",
        "sau-dieu-bac-ho-day",
        FIRST_YEAR,
        None,
    ),
    ("Phong trào “Công an nhân dân chung tay xây dựng nông thôn mới”", "nong-thon-moi", 2011, 2020),
    ("Phong trào thi đua “Vì Nhân dân phục vụ”", "vi-nhan-dan-phuc-vu", 2020, None),
]
WORK_AREAS = [
    "Công tác bảo đảm an ninh chính trị",
    "Công tác phòng, chống tội phạm",
    "Công tác bảo đảm trật tự, an toàn giao thông",
    "Công tác xây dựng phong trào toàn dân bảo vệ an ninh Tổ quốc",
    "Công tác xây dựng lực lượng",
    "Công tác thi đua, khen thưởng",
    "Công tác cải cách hành chính",
    "Công tác hậu cần, kỹ thuật",
]
TASK_VERBS = [
    "Tham mưu ban hành",
    "Tổ chức triển khai",
    "Kiểm tra, đôn đốc việc thực hiện",
    "Sơ kết",
    "Tổng kết",
    "Hướng dẫn thực hiện",
]
TASK_OBJECTS = [
    "kế hoạch thực hiện phong trào thi đua “Vì an ninh Tổ quốc”",
    "chỉ thị về bảo đảm an ninh, trật tự",
    "kế hoạch tấn công, trấn áp tội phạm",
    "đề án xây dựng lực lượng",
    "quy chế phối hợp với các đơn vị",
    "mô hình phòng, chống tội phạm ở cơ sở",
    "kế hoạch cải cách hành chính",
    "kế hoạch công tác thi đua, khen thưởng",
]


@dataclass(frozen=True)
class Sizes:
    units: int
    people: int
    awards: int


@dataclass
class Report:
    """What a run made: rows per model (class name) and the seconds it took."""

    seed: int
    rows: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def synthetic_source() -> Source:
    source, _ = Source.objects.get_or_create(
        slug=SOURCE_SLUG,
        defaults={
            "kind": Source.Kind.SYNTHETIC,
            "title": SOURCE_TITLE,
            "note": "Sinh bởi lệnh seed_demo để trình diễn và đo hiệu năng. "
            "Generated by the seed_demo command for demos and benchmarks; never a fact.",
        },
    )
    return source


def refusal(*, force: bool) -> str | None:
    """Why seed_demo should not write to this database, or None when it may.

    Real data (the report fixtures) is refused unless forced. A database that already holds
    synthetic data is always refused: a second run would reuse the same slugs, and demo sizes are
    only meaningful when one run made all of it.
    """
    if not force and Source.objects.filter(kind=Source.Kind.REPORT).exists():
        return (
            "Cơ sở dữ liệu này chứa dữ liệu thật từ báo cáo (có nguồn loại “report”); "
            "không trộn dữ liệu mô phỏng vào đó. Thêm --force nếu thực sự muốn.\n"
            "This database holds the report fixtures (a source of kind “report”); synthetic data "
            "will not be mixed into it. Pass --force if you really mean to."
        )
    sourced = [AwardType, Unit, Person, Campaign, WorkPlan, Task, Award]
    if any(model.objects.filter(source__slug=SOURCE_SLUG).exists() for model in sourced):
        return (
            "Cơ sở dữ liệu đã có dữ liệu mô phỏng; hãy chạy seed_demo trên một cơ sở dữ liệu mới "
            "(ví dụ sau `manage.py flush`).\n"
            "This database already holds synthetic demo data; run seed_demo on a fresh database "
            "(e.g. after `manage.py flush`). --force does not override this."
        )
    return None


def ensure_law() -> bool:
    """Load the legal catalogue (``load_law``) if it is not in the database yet, so that the
    demo's awards use the law's types; returns whether it loaded it. The law's records keep the
    law as their source: only what this module makes points at the synthetic one."""
    if Source.objects.filter(kind=Source.Kind.LAW).exists():
        return False
    call_command("load_law", stdout=_Discard())
    return True


class _Discard:
    def write(self, text: str) -> None:
        pass


def generate(
    sizes: Sizes,
    *,
    seed: int,
    batch_size: int = 5000,
    log: Callable[[str], None] | None = None,
) -> Report:
    """Fill the database with synthetic data of the given sizes, all of it or none."""
    started = time.perf_counter()
    report = Report(seed=seed)
    log = log or (lambda _: None)
    with _sqlite_tuned(), transaction.atomic():
        with _built_after_the_load(BIG_TABLES, log):
            if ensure_law():
                log("  law: loaded the legal catalogue (load_law)")
            # Seeded on purpose, for the same data from the same seed; nothing secret is drawn.
            rng = random.Random(seed)  # noqa: S311
            builder = _Builder(rng, batch_size, report.rows, log)
            builder.build(sizes)
        committing = time.perf_counter()
    log(f"  commit: {time.perf_counter() - committing:.1f} s")
    report.seconds = time.perf_counter() - started
    return report


# The tables a fill writes millions of rows to, whose indexes and constraints a PostgreSQL fill
# builds once at the end (_built_after_the_load).
BIG_TABLES = [Person, PersonRating, Initiative, Discipline, Inspection, Award]
# For building those indexes: a GIN trigram index of ten million awards sorts far more than the
# server's default 64 MB at once. For this transaction only (SET LOCAL).
INDEX_BUILD_MEMORY = "1GB"


@contextmanager
def _built_after_the_load(
    tables: Sequence[type[models.Model]], log: Callable[[str], None]
) -> Iterator[None]:
    """On PostgreSQL, drop the tables' secondary indexes, unique and foreign-key constraints for
    the load and make them again afterwards, exactly as they were; elsewhere do nothing.

    Kept during a load, each index is updated row by row (the award's two trigram GIN indexes
    most of all) and each foreign key queues a check per row, all run at the commit: at ten
    million awards most of a fill's time. Built after it, an index is one sort of the table and a
    foreign key one join. Each comes back from its own definition as the database reports it
    (pg_get_indexdef, pg_get_constraintdef) under its own name, validated; primary keys, checks
    and triggers (the tallies') stay in place throughout.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables_sql = [model._meta.db_table for model in tables]
    with connection.cursor() as cursor:
        # ALTER TABLE refuses a table with checks still deferred in this transaction (a caller's
        # rows, or the law's): run them now, then defer again, as Django's constraints are.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "SELECT x.indrelid::regclass::text, x.indexrelid::regclass::text,"
            " pg_get_indexdef(x.indexrelid) FROM pg_index x"
            " WHERE x.indrelid = ANY(%s::regclass[]) AND NOT EXISTS ("
            "  SELECT FROM pg_constraint c WHERE c.conindid = x.indexrelid"
            "  AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x'))"
            " ORDER BY 1, 2",
            [tables_sql],
        )
        indexes = cursor.fetchall()
        # Unique constraints before foreign keys, as a foreign key may need one to point at.
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
            " FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')"
            " ORDER BY contype DESC, 1, 2",
            [tables_sql],
        )
        constraints = cursor.fetchall()
        quote = connection.ops.quote_name
        # Foreign keys first: another table's may rest on a unique constraint dropped below.
        for table, name, _ in reversed(constraints):
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for _, name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
        for _, _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
    reset_queries()  # as after each batch of _RowInserter.insert
    log(
        f"  indexes and constraints: {len(indexes) + len(constraints)} made again"
        f" in {time.perf_counter() - started:.1f} s"
    )


@contextmanager
def _sqlite_tuned() -> Iterator[None]:
    """On SQLite, give this connection room for a big load for a while; elsewhere do nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    # By default SQLite caches 2 MiB of pages, so a load growing a dozen indexes spills changed
    # pages mid-transaction, syncing its journal first, again and again. And each multi-row
    # INSERT keeps a statement journal in a temporary file; in memory it costs less system time.
    # Both settings belong to the connection, not the database file, and are put back after.
    tuned = {"cache_size": -512 * 1024}
    if not connection.in_atomic_block:  # SQLite refuses to move temporary storage inside one
        tuned["temp_store"] = 2  # MEMORY
    with connection.cursor() as cursor:
        before = {}
        for pragma, value in tuned.items():
            cursor.execute(f"PRAGMA {pragma}")
            before[pragma] = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA {pragma} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for pragma, value in before.items():
                cursor.execute(f"PRAGMA {pragma} = {value}")


class _Text(NamedTuple):
    """A text as Searchable.refresh_search_text() writes it in search_text and marked_text."""

    folded: str
    marked: str


def _joined(*texts: _Text) -> _Text:
    # fold() and marked() work word by word, so the texts of parts can be joined.
    return _Text(" ".join(text.folded for text in texts), " ".join(text.marked for text in texts))


@lru_cache(maxsize=65536)
def _text(text: str) -> _Text:
    # Names repeat a lot (sixteen family names…), so each distinct string is folded once.
    return _Text(fold(text), marked(text))


def _search_text(*parts: str) -> _Text:
    """What Searchable.refresh_search_text() stores for these parts, from a cache."""
    return _text(" ".join(part for part in parts if part))


def _spread(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into whole shares proportional to ``weights`` (largest remainders)."""
    if not weights or total <= 0:
        return [0] * len(weights)
    whole = sum(weights)
    exact = [total * weight / whole for weight in weights]
    shares = [int(share) for share in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: shares[i] - exact[i])
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _numbered(names: Sequence[str], count: int, start: int = 0) -> list[str]:
    """``count`` names taken in turn from ``names``, numbered once the list runs out."""
    result = []
    for i in range(start, start + count):
        lap, name = divmod(i, len(names))
        result.append(names[name] if lap == 0 else f"{names[name]} {lap + 1}")
    return result


class _RowInserter:
    """INSERTs of plain tuples into one model's table, for the two big tables.

    bulk_create() spends most of its time on a model instance per row and on compiling each of
    its values (an Award instance alone takes ~60 µs on the 2-core machine this was measured on);
    awards made that way loaded at half the rate of these. This writes the statements bulk_create
    would, from values the caller has already made database-ready: on PostgreSQL one INSERT …
    SELECT FROM UNNEST of one array per column, elsewhere multi-row VALUES with as many rows as the
    backend takes parameters for. Columns not named get their field's default, so every NOT NULL
    column is filled.
    """

    def __init__(
        self, model: type[models.Model], field_names: Sequence[str], batch_size: int
    ) -> None:
        meta = model._meta
        named = [meta.get_field(name) for name in field_names]
        rest = [f for f in meta.concrete_fields if f not in named and not f.primary_key]
        if any(f.has_default() and callable(f.default) for f in rest):
            raise ValueError(f"Give every field with a computed default of {meta.label}.")
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        fields = [*named, *rest]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        # Only the model's own table, column and type names go into the SQL; values are
        # always parameters.
        self.head = f"INSERT INTO {quote(meta.db_table)} ({columns}) "
        self.copy = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        self.returning = f" RETURNING {quote(meta.pk.column)}"
        self.unnest = connection.vendor == "postgresql"
        if self.unnest:
            # As Django's own bulk insert there: varchar[] rather than varchar(50)[].
            types = [f.db_type(connection).split("(")[0] for f in fields]
            arrays = ", ".join(f"%s::{db_type}[]" for db_type in types)
            self.values = f"SELECT * FROM UNNEST({arrays})"  # noqa: S608
            self.rows_per_statement = batch_size
        else:
            self.row = "(" + ", ".join(["%s"] * len(fields)) + ")"
            max_params = connection.features.max_query_params or 65535
            self.rows_per_statement = max(1, min(batch_size, max_params // len(fields)))

    def insert(self, rows: Sequence[tuple], *, returning: bool = False) -> list[int]:
        """Insert ``rows`` (values of the named fields, in order); with ``returning``, their ids."""
        if self.unnest and not returning:
            self.copy_rows(rows)
            return []
        ids: list[int] = []
        with connection.cursor() as cursor:
            for start in range(0, len(rows), self.rows_per_statement):
                chunk = rows[start : start + self.rows_per_statement]
                if self.unnest:
                    sql = self.head + self.values
                    params = [list(column) for column in zip(*chunk, strict=True)]
                    params += [[default] * len(chunk) for default in self.defaults]
                else:
                    sql = self.head + "VALUES " + ", ".join([self.row] * len(chunk))
                    params = [value for row in chunk for value in (*row, *self.defaults)]
                if returning:
                    cursor.execute(sql + self.returning, params)
                    ids += [pk for (pk,) in cursor.fetchall()]
                else:
                    cursor.execute(sql, params)
        # With DEBUG on (a laptop's default) Django logs each query's SQL, values written out,
        # until the request ends; a load is one long run, so the log is emptied after each batch,
        # as Django's FAQ advises for long-running scripts.
        reset_queries()
        return ids

    def copy_rows(self, rows: Sequence[tuple]) -> None:
        """On PostgreSQL, write ``rows`` with one COPY, which streams them without an INSERT's
        arrays of parameters to build, send and unnest. COPY is psycopg's API, reached through
        the DB-API connection Django documents (connection.connection); it runs in the load's
        transaction and fires the award's statement triggers (the tallies') as an INSERT does."""
        connection.ensure_connection()
        defaults = self.defaults
        with connection.connection.cursor() as cursor, cursor.copy(self.copy) as copy:
            for row in rows:
                copy.write_row((*row, *defaults))


@dataclass
class _UnitSpec:
    name: str
    short_name: str
    kind: str
    head: tuple[str, str]  # titles of the head and the deputy head
    parent: int | None = None  # index in the level above
    branches: bool = False  # whether units may be placed under it


@dataclass
class _Units:
    """The units made, as parallel lists indexed alike, so people and awards need no queries."""

    ids: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    heads: list[tuple[str, str]] = field(default_factory=list)
    top: list[int] = field(default_factory=list)  # id of the ancestor right below the ministry
    texts: list[_Text] = field(default_factory=list)  # of the name and short name
    level_of: list[int] = field(default_factory=list)
    parents: list[int | None] = field(default_factory=list)  # index of the parent


class _Builder:
    def __init__(
        self, rng: random.Random, batch_size: int, rows: Counter[str], log: Callable[[str], None]
    ) -> None:
        self.rng = rng
        self.batch_size = batch_size
        self.rows = rows
        self.log = log
        self.source = synthetic_source()
        self.units = _Units()
        self.person_ids: list[int] = []
        self.person_units: list[int] = []  # index into self.units
        self.person_ranks: list[int | None] = []  # index into self.ranks
        self.person_positions: list[str] = []
        self.person_texts: list[_Text] = []  # of the full name
        self.person_entered: list[datetime.date] = []
        self.career_awards: list[tuple] = []  # (person index, type key, year), in that order

    def build(self, sizes: Sizes) -> None:
        for step, arguments in [
            (self.build_units, (sizes.units,)),
            (self.build_people, (sizes.people,)),
            (self.build_campaigns, ()),
            (self.build_award_types, ()),
            (self.build_work_plans, ()),
            (self.build_careers, (sizes.awards,)),
            (self.build_awards, (sizes.awards,)),
        ]:
            started = time.perf_counter()
            before = sum(self.rows.values())
            step(*arguments)
            made = sum(self.rows.values()) - before
            self.log(f"  {step.__name__[6:]}: {made} rows in {time.perf_counter() - started:.1f} s")

    def insert(
        self, model: type[models.Model], objects: list[models.Model], label: str = ""
    ) -> list:
        created = model.objects.bulk_create(objects, batch_size=self.batch_size)
        reset_queries()  # as after each batch of _RowInserter.insert
        self.rows[label or model.__name__] += len(created)
        return created

    # Units

    def build_units(self, total: int) -> None:
        """A tree level by level, so that each level's parents already have their ids."""
        parent_ids: list[int] = []
        parent_positions: list[int] = []
        for depth, level in enumerate(self.plan_tree(total)):
            units = []
            for spec in level:
                unit = Unit(
                    name=spec.name,
                    short_name=spec.short_name,
                    kind=spec.kind,
                    parent_id=parent_ids[spec.parent] if spec.parent is not None else None,
                    slug=f"{SLUG_PREFIX}{code_from_name(spec.name)[:80]}-{len(self.units.ids) + 1}",
                    source=self.source,
                )
                unit.refresh_search_text()
                units.append(unit)
                self.units.ids.append(0)  # filled below, once the database has given ids
                self.units.kinds.append(spec.kind)
                self.units.heads.append(spec.head)
                self.units.texts.append(_search_text(spec.name, spec.short_name))
                self.units.level_of.append(depth)
                self.units.parents.append(
                    parent_positions[spec.parent] if spec.parent is not None else None
                )
            first = len(self.units.ids) - len(units)
            created = self.insert(Unit, units)
            positions = list(range(first, first + len(created)))
            for position, unit in zip(positions, created, strict=True):
                self.units.ids[position] = unit.pk
            for spec, position in zip(level, positions, strict=True):
                if depth <= 1:
                    self.units.top.append(self.units.ids[position])
                else:
                    self.units.top.append(self.units.top[parent_positions[spec.parent]])
            parent_ids = [self.units.ids[p] for p in positions]
            parent_positions = positions

    def plan_tree(self, total: int) -> list[list[_UnitSpec]]:
        """The levels of a tree of ``total`` units shaped like the public-security sector.

        The ministry; under it ~6 general departments and ~63 provincial police forces; under
        those, departments, divisions and district police; under those, divisions and teams. For
        small totals there are fewer of each, but the tree keeps its depth.
        """
        if total <= 0:
            return []
        levels = [[_UnitSpec("Bộ Công an", "BCA", Unit.Kind.MINISTRY, ("Bộ trưởng", "Thứ trưởng"))]]
        rng = self.rng
        ministry_units = max(1, min(len(MINISTRY_UNITS), round(total / 800)))
        provinces = max(1, min(len(CITIES) + len(PROVINCES), round(total / 79)))
        top = []
        for name, short_name, kind in MINISTRY_UNITS[:ministry_units]:
            top.append(_UnitSpec(name, short_name, kind, _head_titles(name), 0, True))
        for place in (CITIES + PROVINCES)[:provinces]:
            prefix, short = ("thành phố", "CATP") if place in CITIES else ("tỉnh", "CAT")
            name = f"Công an {prefix} {place}"
            top.append(
                _UnitSpec(
                    name,
                    f"{short} {place}",
                    Unit.Kind.PROVINCIAL_POLICE,
                    ("Giám đốc", "Phó Giám đốc"),
                    0,
                    True,
                )
            )
        top = top[: total - 1]
        levels.append(top)

        # What is left goes about 2 to 3 between the second and third levels below the ministry.
        left = total - 1 - len(top)
        second = max(1, round(left * 0.4)) if left else 0
        third = left - second
        # A general department has ~5 departments; a province ~20 divisions and ~11 districts.
        weights = [5 if spec.kind != Unit.Kind.PROVINCIAL_POLICE else 31 for spec in top]
        level = []
        departments = 0
        for parent, (spec, count) in enumerate(zip(top, _spread(second, weights), strict=True)):
            if spec.kind == Unit.Kind.PROVINCIAL_POLICE:
                districts = max(1, round(count * 11 / 31)) if count else 0
                divisions = count - districts
                for name in _numbered(DIVISIONS, divisions):
                    level.append(
                        _UnitSpec(name, "", Unit.Kind.DIVISION, _head_titles(name), parent)
                    )
                places = rng.sample(DISTRICTS, min(districts, len(DISTRICTS)))
                for place in _numbered(places, districts):
                    form = rng.choices(list(DISTRICT_FORMS), list(DISTRICT_FORMS.values()))[0]
                    level.append(
                        _UnitSpec(
                            f"Công an {form} {place}",
                            f"CA {form} {place}",
                            Unit.Kind.DISTRICT_POLICE,
                            (f"Trưởng Công an {form}", f"Phó Trưởng Công an {form}"),
                            parent,
                            True,
                        )
                    )
            elif spec.kind == Unit.Kind.GENERAL_DEPARTMENT:
                for name in _numbered(DEPARTMENTS, count, departments):
                    kind = Unit.Kind.DEPARTMENT
                    level.append(_UnitSpec(name, "", kind, _head_titles(name), parent, True))
                departments += count
            else:
                for name in _numbered(DIVISIONS, count):
                    level.append(
                        _UnitSpec(name, "", Unit.Kind.DIVISION, _head_titles(name), parent)
                    )
        if not level:
            return levels
        levels.append(level)

        # A department has ~6 divisions, a district police ~4 teams.
        parents = [i for i, spec in enumerate(level) if spec.branches] or list(range(len(level)))
        weights = [6 if level[i].kind == Unit.Kind.DEPARTMENT else 4 for i in parents]
        bottom = []
        for parent, count in zip(parents, _spread(third, weights), strict=True):
            names = DIVISIONS if level[parent].kind == Unit.Kind.DEPARTMENT else TEAMS
            for name in _numbered(names, count):
                bottom.append(_UnitSpec(name, "", Unit.Kind.DIVISION, _head_titles(name), parent))
        if bottom:
            levels.append(bottom)
        return levels

    # People

    def build_people(self, total: int) -> None:
        rng = self.rng
        self.ranks = list(Rank.objects.order_by("seniority"))
        self.rank_ids = [rank.pk for rank in self.ranks]
        if total <= 0 or not self.units.ids:
            return
        rank_weights = list(accumulate(RANK_FREQUENCIES.get(r.name, 1) for r in self.ranks))
        unit_weights = list(accumulate(STAFF_WEIGHTS.get(k, 1) for k in self.units.kinds))
        family_names = list(FAMILY_NAMES)
        family_weights = list(accumulate(FAMILY_NAMES.values()))
        unit_positions = range(len(self.units.ids))
        rank_positions = range(len(self.ranks))
        inserter = _RowInserter(
            Person,
            [
                "full_name",
                "slug",
                "rank",
                "position",
                "unit",
                "source",
                "search_text",
                "marked_text",
                "entered_service_on",
            ],
            self.batch_size,
        )
        for start in range(0, total, self.batch_size):
            count = min(self.batch_size, total - start)
            families = rng.choices(family_names, cum_weights=family_weights, k=count)
            units = rng.choices(unit_positions, cum_weights=unit_weights, k=count)
            ranks: list[int | None] = (
                rng.choices(rank_positions, cum_weights=rank_weights, k=count)
                if self.ranks
                else [None] * count
            )
            rows = []
            for number, family, unit, rank in zip(
                range(start + 1, start + count + 1), families, units, ranks, strict=True
            ):
                if rng.random() < FEMALE_SHARE:
                    middle, given = rng.choice(FEMALE_MIDDLE_NAMES), rng.choice(FEMALE_GIVEN_NAMES)
                else:
                    middle, given = rng.choice(MALE_MIDDLE_NAMES), rng.choice(MALE_GIVEN_NAMES)
                full_name = f"{family} {middle} {given}"
                position = self.position(unit, rank)
                name_text = _text(full_name)
                text = _joined(name_text, _text(position)) if position else name_text
                entered = self.entered_service(rank)
                rows.append(
                    (
                        full_name,
                        f"{SLUG_PREFIX}{name_text.folded.replace(' ', '-')}-{number}",
                        self.rank_ids[rank] if rank is not None else None,
                        position,
                        self.units.ids[unit],
                        self.source.pk,
                        text.folded,
                        text.marked,
                        connection.ops.adapt_datefield_value(entered),
                    )
                )
                self.person_entered.append(entered)
                self.person_units.append(unit)
                self.person_ranks.append(rank)
                self.person_positions.append(position)
                self.person_texts.append(name_text)
            self.person_ids += inserter.insert(rows, returning=True)
            self.rows["Person"] += len(rows)

    def entered_service(self, rank: int | None) -> datetime.date:
        """A date of entering service 1 to 35 years back, longer the higher the rank."""
        low, high = (1, 35) if rank is None else SERVICE_YEARS[self.ranks[rank].tier]
        year = LAST_YEAR - self.rng.randint(low, high)
        return datetime.date(year, self.rng.randint(1, 12), self.rng.randint(1, 28))

    def position(self, unit: int, rank: int | None) -> str:
        if rank is None:
            return ""
        tier = self.ranks[rank].tier
        if tier in (Rank.Tier.NCO, Rank.Tier.ENLISTED):
            return "Chiến sĩ"
        head, deputy = HEAD_AND_DEPUTY_SHARE[tier]
        draw = self.rng.random()
        if draw < head:
            return self.units.heads[unit][0]
        if draw < head + deputy:
            return self.units.heads[unit][1]
        return "Cán bộ"

    # Campaigns

    def build_campaigns(self) -> None:
        ministry = self.units.ids[0] if self.units.ids else None
        campaigns = [
            Campaign(
                name=f"Phong trào thi đua “Vì an ninh Tổ quốc” năm {year}",
                slug=f"{SLUG_PREFIX}vi-an-ninh-to-quoc-{year}",
                kind=Campaign.Kind.EMULATION,
                start_year=year,
                end_year=year,
                motto="Vì an ninh Tổ quốc",
                audience="toàn thể cán bộ, chiến sĩ",
                launched_by_unit_id=ministry,
                source=self.source,
            )
            for year in YEARS
        ]
        campaigns += [
            Campaign(
                name=name,
                slug=f"{SLUG_PREFIX}{slug}",
                kind=Campaign.Kind.MOVEMENT,
                start_year=start_year,
                end_year=end_year,
                launched_by_unit_id=ministry,
                source=self.source,
            )
            for name, slug, start_year, end_year in MOVEMENTS
        ]
        for campaign in campaigns:
            campaign.refresh_search_text()
        created = self.insert(Campaign, campaigns)
        self.yearly_campaigns = {c.start_year: c.pk for c in created[: len(YEARS)]}
        movements = created[len(YEARS) :]
        self.movements_by_year = {
            year: [m.pk for m in movements if m.start_year <= year and (m.end_year or year) >= year]
            for year in YEARS
        }

    # Award types

    def build_award_types(self) -> None:
        """The catalogue's types, reusing those already in the database under the same name."""
        existing = {
            (t.name, t.award_class): t
            for t in AwardType.objects.filter(name__in={entry.name for entry in AWARD_CATALOGUE})
        }
        missing = []
        for entry in AWARD_CATALOGUE:
            if (entry.name, entry.award_class) not in existing:
                award_type = AwardType(
                    name=entry.name,
                    award_class=entry.award_class,
                    category=entry.category,
                    conferred_by=entry.conferred_by,
                    for_individuals=entry.for_individuals,
                    for_collectives=entry.for_collectives,
                    source=self.source,
                )
                award_type.refresh_search_text()
                missing.append(award_type)
        made = {(t.name, t.award_class): t for t in self.insert(AwardType, missing)}
        # In the catalogue's order, so that the same seed draws the same types.
        frequency = {(e.name, e.award_class): e.frequency for e in AWARD_CATALOGUE}
        types = [existing.get(key) or made[key] for key in frequency]
        # For each kind of recipient and year, the types that may go to it then, and how often.
        self.award_types: dict[tuple[str, int], tuple[list[tuple], list[float]]] = {}
        # A named person's random awards leave out what careers earn (CAREER_TYPES).
        kinds = [*RecipientKind.values, PERSON]
        for kind in kinds:
            accepted = [
                t
                for t in types
                if t.accepts(RecipientKind.INDIVIDUAL if kind == PERSON else kind)
                and (kind != PERSON or (t.name, t.award_class) not in CAREER_TYPES)
            ]
            for year in YEARS:
                # A type valid in no year of the demo is still better than no type at all.
                fitting = [t for t in accepted if t.in_force_in(year)] or accepted
                if not fitting:
                    raise ValueError(f"No award type of the catalogue accepts {kind} recipients.")
                self.award_types[kind, year] = (
                    [(t.pk, _text(str(t)), t.conferred_by) for t in fitting],
                    list(accumulate(frequency[t.name, t.award_class] for t in fitting)),
                )
        self.career_types = {
            (t.name, t.award_class): (t.pk, _text(str(t)), t.conferred_by)
            for t in types
            if (t.name, t.award_class) in CAREER_TYPES
        }

    # Work plans

    def build_work_plans(self) -> None:
        """A plan a year for the ministry and the units right below it, with areas and tasks."""
        rng = self.rng
        planning = [i for i, level in enumerate(self.units.level_of) if level <= 1]
        children: dict[int, list[int]] = {i: [] for i in planning}
        for i, parent in enumerate(self.units.parents):
            if parent in children:
                children[parent].append(self.units.ids[i])
        plans = []
        for unit in planning:
            for year in PLAN_YEARS:
                plans.append(
                    WorkPlan(
                        unit_id=self.units.ids[unit],
                        year=year,
                        campaign_id=self.yearly_campaigns[year],
                        declared_area_count=rng.randint(3, 6),
                        summary=f"Kế hoạch công tác năm {year}",
                        source=self.source,
                    )
                )
        plan_units = {}
        plans = self.insert(WorkPlan, plans)
        areas = []
        for plan in plans:
            names = rng.sample(WORK_AREAS, plan.declared_area_count)
            areas += [WorkArea(plan=plan, number=n, name=name) for n, name in enumerate(names, 1)]
            plan_units[plan.pk] = children[planning[len(plan_units) // len(PLAN_YEARS)]]
        areas = self.insert(WorkArea, areas)
        tasks = []
        numbers: Counter[int] = Counter()
        for area in areas:
            plan = area.plan
            for _ in range(rng.randint(2, 4)):
                numbers[plan.pk] += 1
                tasks.append(self.task(plan, area, numbers[plan.pk]))
        tasks = self.insert(Task, tasks)
        for plan in plans:
            plan.declared_task_count = numbers[plan.pk]
        WorkPlan.objects.bulk_update(plans, ["declared_task_count"], batch_size=self.batch_size)
        lead, coordinating = [], []
        LeadUnit = Task.assigned_units.through
        CoordinatingUnit = Task.coordinating_units.through
        for task in tasks:
            units = plan_units[task.plan_id]
            if not units:
                continue
            chosen = rng.sample(units, min(len(units), rng.randint(1, 3)))
            lead.append(LeadUnit(task_id=task.pk, unit_id=chosen[0]))
            coordinating += [CoordinatingUnit(task_id=task.pk, unit_id=u) for u in chosen[1:]]
        self.insert(LeadUnit, lead, "Task.assigned_units")
        self.insert(CoordinatingUnit, coordinating, "Task.coordinating_units")

    def task(self, plan: WorkPlan, area: WorkArea, number: int) -> Task:
        rng = self.rng
        title = f"{rng.choice(TASK_VERBS)} {rng.choice(TASK_OBJECTS)} năm {plan.year}"
        result, quantity = "", None
        if plan.year < LAST_YEAR:
            status = Task.Status.DONE if rng.random() < 0.85 else Task.Status.NOT_DONE
        else:
            status = rng.choices(list(Task.Status), weights=[3, 6, 1, 0])[0]
        if status == Task.Status.DONE:
            quantity = rng.randint(1, 20)
            result = f"Đã hoàn thành; ban hành {quantity} văn bản"
        task = Task(
            plan=plan,
            area=area,
            number=number,
            title=title,
            status=status,
            result=result,
            result_quantity=quantity,
            source=self.source,
        )
        task.refresh_search_text()
        return task

    # Awards

    # Service records and careers

    def build_careers(self, total_awards: int) -> None:
        """Each person's yearly ratings, initiatives, a few disciplines and inspections, and the
        titles and medals their career earns (kept for build_awards), within their share of the
        awards (CAREER_SHARE of those to people)."""
        careers = _Careers(self, round(total_awards * PERSON_SHARE * CAREER_SHARE))
        tables = {
            PersonRating: ["person", "year", "rating", "source"],
            Initiative: ["person", "title", "level", "year", "decision", "source"],
            Discipline: ["person", "form", "since", "until", "decision", "source"],
            Inspection: ["person", "kind", "since", "until", "note", "source"],
        }
        inserters = {m: _RowInserter(m, fields, self.batch_size) for m, fields in tables.items()}
        pending: dict[type[models.Model], list[tuple]] = {model: [] for model in tables}
        for person in range(len(self.person_ids)):
            if person % 500 == 0:
                careers.recalibrate(person)
            careers.follow(person, pending)
            for model, rows in pending.items():
                if len(rows) >= self.batch_size:
                    inserters[model].insert(rows)
                    self.rows[model.__name__] += len(rows)
                    rows.clear()
        for model, rows in pending.items():
            inserters[model].insert(rows)
            self.rows[model.__name__] += len(rows)
        self.career_awards = careers.awards

    # Awards

    def build_awards(self, total: int) -> None:
        """``total`` awards over the years, built from ids and folded text held in memory: the
        careers' (build_careers) and the rest drawn at random, in a shuffled order."""
        rng = self.rng
        random_, randrange = rng.random, rng.randrange
        years = list(YEARS)
        # A little more recorded each year, as the records get more complete.
        year_weights = list(accumulate(1 + 0.05 * (year - FIRST_YEAR) for year in years))
        # The ministry gives collective awards rather than receiving them.
        recipient_units = range(1 if len(self.units.ids) > 1 else 0, len(self.units.ids))
        people = len(self.person_ids)
        careers = self.career_awards[:total]
        drawn = total - len(careers)
        # The drawn awards make up the shares of PERSON_SHARE and UNIT_SHARE over the total.
        person_share = max(0.0, PERSON_SHARE * total - len(careers)) / drawn if drawn else 0
        unit_share = min(UNIT_SHARE * total / drawn, 1 - person_share) if drawn else 0
        self.number = 0
        self.award_inserter = _RowInserter(
            Award,
            [
                "key", "award_type", "year", "decision_number", "decision_date",
                "recipient_person", "recipient_unit", "group_kind", "group_count",
                "rank_at_award", "position_at_award", "conferring_unit", "campaign", "note",
                "source", "search_text", "marked_text",
            ],
            self.batch_size,
        )  # fmt: skip
        # Careers' awards and drawn ones mixed in one order, as years of records would be: the
        # first awards by id (which the export and import cases read) are a mix of both.
        order: list[tuple | None] = [*careers, *([None] * drawn)]
        rng.shuffle(order)
        drawn_years = iter(rng.choices(years, cum_weights=year_weights, k=drawn))
        for start in range(0, total, self.batch_size):
            rows = []
            for career in order[start : start + self.batch_size]:
                if career is not None:
                    person, key, year = career
                    rows.append(self.award_row(year, self.career_types[key], person=person))
                    continue
                year = next(drawn_years)
                draw = random_()
                person = unit = None
                if draw < person_share and people:
                    kind, group = PERSON, False
                    person = randrange(people)
                elif draw < person_share + unit_share and recipient_units:
                    kind, group = RecipientKind.COLLECTIVE, False
                    unit = recipient_units[randrange(len(recipient_units))]
                else:
                    group = True
                    kind = RecipientKind.INDIVIDUAL if random_() < 0.7 else RecipientKind.COLLECTIVE
                types, type_weights = self.award_types[kind, year]
                award_type = types[bisect(type_weights, random_() * type_weights[-1])]
                rows.append(
                    self.award_row(
                        year, award_type, person=person, unit=unit, group=kind if group else None
                    )
                )
            self.write_awards(rows, total)

    def write_awards(self, rows: list[tuple], total: int) -> None:
        self.award_inserter.insert(rows)
        before = self.rows["Award"]
        self.rows["Award"] += len(rows)
        if self.rows["Award"] // 100_000 > before // 100_000 or self.rows["Award"] == total:
            self.log(f"    {self.rows['Award']} / {total}")

    @property
    def award_dates(self) -> dict[int, list]:
        if not hasattr(self, "_award_dates"):
            adapt_date = connection.ops.adapt_datefield_value
            self._award_dates = {
                year: [
                    adapt_date(datetime.date(year, month, day))
                    for month in (10, 11, 12)
                    for day in range(1, 29)
                ]
                for year in YEARS
            }
        return self._award_dates

    def award_row(
        self,
        year: int,
        award_type: tuple[int, str, str],
        *,
        person: int | None = None,
        unit: int | None = None,
        group: str | None = None,
    ) -> tuple:
        """One award's values, in the inserter's order: to the person or unit at that index
        (into self.person_*, self.units), or to an unnamed group of that kind."""
        rng = self.rng
        self.number += 1
        type_id, type_text, conferred_by = award_type
        key = uuid.UUID(int=rng.getrandbits(128), version=4)
        prefix = _text(DECISION_PREFIX)
        decision = _Text(f"{prefix.folded}{self.number:07d}", f"{prefix.marked}{self.number:07d}")
        recipient_person = recipient_unit = group_kind = group_count = rank = None
        position, note = "", ""
        # The texts as Award.refresh_search_text() writes them: decision, type,
        # recipient, then the note after STAFF_SEARCH_SEPARATOR.
        if group:
            group_kind, group_count, note = group, rng.randrange(2, 31), GROUP_NOTE
            public, staff = _joined(decision, type_text), _text(GROUP_NOTE)
            text = _Text(
                f"{public.folded}{STAFF_SEARCH_SEPARATOR}{staff.folded}",
                f"{public.marked}{STAFF_SEARCH_SEPARATOR}{staff.marked}",
            )
        elif person is not None:
            unit = self.person_units[person]
            rank = self.person_ranks[person]
            if rank is not None:
                years_ago = LAST_YEAR - year
                rank = self.rank_ids[
                    min(len(self.rank_ids) - 1, rank + years_ago // YEARS_PER_PROMOTION)
                ]
                # Positions change too: an old one is not known, a recent one is kept.
                if years_ago < YEARS_PER_PROMOTION:
                    position = self.person_positions[person]
            text = _joined(decision, type_text, self.person_texts[person])
            recipient_person = self.person_ids[person]
        else:
            recipient_unit = self.units.ids[unit]
            text = _joined(decision, type_text, self.units.texts[unit])
        dates = self.award_dates[year]
        return (
            key if connection.features.has_native_uuid_field else key.hex,
            type_id,
            year,
            f"{DECISION_PREFIX}{self.number:07d}",
            dates[rng.randrange(len(dates))],
            recipient_person,
            recipient_unit,
            group_kind or "",
            group_count,
            rank,
            position,
            self.conferring_unit(conferred_by, unit, self.units.ids[0] if self.units.ids else None),
            self.campaign(year),
            note,
            self.source.pk,
            text.folded,
            text.marked,
        )

    def conferring_unit(
        self, conferred_by: str, unit: int | None, ministry: int | None
    ) -> int | None:
        """The ministry for its own awards; for a head's, the recipient's province or the like."""
        if conferred_by == AwardType.Conferrer.MINISTER:
            return ministry
        if conferred_by in (AwardType.Conferrer.UNIT_HEAD, AwardType.Conferrer.GENERAL_DEPARTMENT):
            if unit is None or self.units.level_of[unit] <= 1:
                return ministry
            return self.units.top[unit]
        return None

    def campaign(self, year: int) -> int | None:
        """Most awards crown the year's emulation campaign, a few a movement, some neither."""
        draw = self.rng.random()
        if draw < 0.75:
            return self.yearly_campaigns[year]
        if draw < 0.8 and self.movements_by_year[year]:
            return self.rng.choice(self.movements_by_year[year])
        return None


def _head_titles(name: str) -> tuple[str, str]:
    """Titles of the head and the deputy head of a unit with this name."""
    for prefix, head in [
        ("Tổng cục", "Tổng cục trưởng"),
        ("Cục", "Cục trưởng"),
        ("Văn phòng", "Chánh Văn phòng"),
        ("Thanh tra", "Chánh Thanh tra"),
        ("Phòng", "Trưởng phòng"),
        ("Đội", "Đội trưởng"),
    ]:
        if name.startswith(prefix + " "):
            return head, f"Phó {head}"
    return "Thủ trưởng", "Phó Thủ trưởng"


class _Careers:
    """The service record of each person and the titles and medals it earns, year by year.

    Ratings come most years; a good or excellent year often brings Chiến sĩ tiên tiến; an
    excellent one, for the keenest, Chiến sĩ thi đua cơ sở with a grassroots initiative, often
    several years running; three of those running, with an initiative the ministry recognised,
    the ministry's title (CSTĐ toàn lực lượng CAND), and two of those running, for a very few,
    the national one. Medals follow years of service. A few are disciplined or inspected, and
    earn nothing that year and the next. A small share of titles is given without what the
    rules ask (no initiative that year), as happens in real records, so that the eligibility
    rules find both. Awards stop once ``budget`` is spent.
    """

    def __init__(self, builder: _Builder, budget: int) -> None:
        self.builder = builder
        self.rng = builder.rng
        self.source = builder.source.pk
        self.budget = budget
        self.awards: list[tuple[int, tuple[str, str], int]] = []
        self.people = max(1, len(builder.person_ids))
        # A career left alone earns ~10 awards in the demo's years; fewer when the budget is
        # smaller, by giving Chiến sĩ tiên tiến (most of them) less often. The odds are
        # corrected as people are followed (recalibrate) so the budget lasts to the last one.
        self.target = budget / self.people
        self.advanced_odds = min(1.0, self.target / 10)

    def recalibrate(self, followed: int) -> None:
        """Bring the odds of Chiến sĩ tiên tiến closer to what spends the budget evenly."""
        if followed and self.awards:
            made = len(self.awards) / followed
            self.advanced_odds = min(1.0, max(0.01, self.advanced_odds * self.target / made))
        self.adapt = connection.ops.adapt_datefield_value

    def follow(self, person: int, pending: dict[type[models.Model], list[tuple]]) -> None:
        rng, random_ = self.rng, self.rng.random
        entered = self.builder.person_entered[person]
        first = max(FIRST_YEAR, entered.year + 1)
        keenness = random_()
        barred: set[int] = set()
        if random_() < 0.02:  # disciplined once
            year = rng.randint(first, LAST_RATED_YEAR) if first <= LAST_RATED_YEAR else LAST_YEAR
            since = datetime.date(year, rng.randint(1, 12), rng.randint(1, 28))
            # Most measures run a year; a few still run.
            until = (
                None
                if year >= LAST_RATED_YEAR and random_() < 0.5
                else since.replace(year=since.year + 1)
            )
            form = rng.choices(
                [
                    Discipline.Form.REPRIMAND,
                    Discipline.Form.WARNING,
                    Discipline.Form.SALARY_DOWNGRADE,
                ],
                [6, 3, 1],
            )[0]
            pending[Discipline].append(
                (
                    self.builder.person_ids[person],
                    form,
                    self.adapt(since),
                    self.adapt(until),
                    f"QĐ-DEMO-KL-{person + 1}",
                    self.source,
                )
            )
            barred |= {year, year + 1}
        if random_() < 0.01:  # under inspection or complaint for a few months
            year = rng.randint(first, LAST_YEAR) if first <= LAST_YEAR else LAST_YEAR
            since = datetime.date(year, rng.randint(1, 9), rng.randint(1, 28))
            until = since + datetime.timedelta(days=rng.randint(60, 240))
            kind = rng.choice(Inspection.Kind.values)
            pending[Inspection].append(
                (
                    self.builder.person_ids[person],
                    kind,
                    self.adapt(since),
                    self.adapt(until),
                    "Dữ liệu mô phỏng",
                    self.source,
                )
            )
            barred.add(year)
        person_id = self.builder.person_ids[person]
        since_ministry = 0
        ministry_years: list[int] = []
        for year in range(first, LAST_RATED_YEAR + 1):
            keen = keenness > KEEN
            if random_() < (0.03 if keen else 0.1):  # not rated that year: the record is missing
                since_ministry = 0
                continue
            rating = self.rating(keenness, year in barred)
            pending[PersonRating].append((person_id, year, rating, self.source))
            good = rating in (Rating.EXCELLENT, Rating.GOOD) and year not in barred
            # The keen earn Chiến sĩ tiên tiến whenever they may; the others' odds are what the
            # budget allows (recalibrate).
            odds = 0.95 if keen else self.advanced_odds * (0.9 if keenness > 0.3 else 0.3)
            if not good or random_() >= odds:
                since_ministry = 0
                continue
            self.award(person, ADVANCED, year)
            if rating != Rating.EXCELLENT or not keen or random_() >= 0.9:
                since_ministry = 0
                continue
            # Chiến sĩ thi đua cơ sở, with an initiative recognised at the grassroots (mostly).
            since_ministry += 1
            if random_() < 0.93:
                self.initiative(pending, person_id, year, Initiative.Level.GRASSROOTS)
            self.award(person, GRASSROOTS, year)
            if since_ministry >= 3 and random_() < 0.7:
                # Most with three years running have an initiative the ministry recognised;
                # the title goes to some of them (and, rarely, to one without it).
                self.initiative(pending, person_id, year, Initiative.Level.MINISTRY)
            if since_ministry >= 3 and random_() < 0.5:
                self.award(person, MINISTRY, year)
                since_ministry = 0
                if ministry_years and ministry_years[-1] == year - 3 and random_() < 0.3:
                    self.initiative(pending, person_id, year, Initiative.Level.NATIONAL)
                    self.award(person, NATIONAL, year)
                ministry_years.append(year)
        for years, key in [*GLORY_MEDALS.items(), (25, SECURITY_MEDAL)]:
            year = entered.year + years
            if FIRST_YEAR <= year <= LAST_RATED_YEAR and year not in barred and random_() < 0.9:
                self.award(person, key, year)
        if random_() < 0.03:  # an initiative that earned no title
            year = rng.randint(first, LAST_YEAR) if first <= LAST_YEAR else LAST_YEAR
            self.initiative(pending, person_id, year, Initiative.Level.GRASSROOTS)

    def rating(self, keenness: float, barred: bool) -> str:
        if barred:
            return Rating.COMPLETED if self.rng.random() < 0.7 else Rating.NOT_COMPLETED
        draw = self.rng.random()
        excellent = 0.1 + 0.8 * keenness * keenness
        if draw < excellent:
            return Rating.EXCELLENT
        if draw < 0.9:
            return Rating.GOOD
        return Rating.COMPLETED if draw < 0.99 else Rating.NOT_COMPLETED

    def award(self, person: int, key: tuple[str, str], year: int) -> None:
        if len(self.awards) < self.budget and key in self.builder.career_types:
            self.awards.append((person, key, year))

    def initiative(
        self, pending: dict[type[models.Model], list[tuple]], person_id: int, year: int, level: str
    ) -> None:
        title = f"Sáng kiến {self.rng.choice(INITIATIVE_SUBJECTS)}"
        decision = f"QĐ-DEMO-SK-{person_id}-{year}-{level}"
        pending[Initiative].append((person_id, title, level, year, decision, self.source))
