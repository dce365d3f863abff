"""The demo centres and accounts (also listed in the README)."""

from __future__ import annotations

from datetime import date, time

DEMO_PASSWORD = "kezek-demo-2026"

OPENING_HOURS = {
    "opening_hours_kk": "Дс–Жм 09:00–18:00, түскі үзіліс 13:00–14:00",
    "opening_hours_ru": "Пн–Пт 09:00–18:00, обед 13:00–14:00",
    "opening_hours_en": "Mon–Fri 09:00–18:00, lunch 13:00–14:00",
    # The same break as the centre's setting: templates edited later never put an exam in it.
    "lunch_starts_at": time(13),
    "lunch_ends_at": time(14),
}

CENTRES = [
    {
        "code": "ALM",
        "name_kk": "Алматы қаласының ХҚКО (СпецЦОН) №1",
        "name_ru": "СпецЦОН №1 города Алматы",
        "name_en": "SpetsTSON No. 1, Almaty",
        "city_kk": "Алматы",
        "city_ru": "Алматы",
        "city_en": "Almaty",
        "address_kk": "Алматы қ., Рысқұлов даңғылы, 107",
        "address_ru": "г. Алматы, проспект Рыскулова, 107",
        "address_en": "107 Ryskulov Avenue, Almaty",
        "timezone": "Asia/Almaty",
        **OPENING_HOURS,
    },
    {
        "code": "AST",
        "name_kk": "Астана қаласының ХҚКО (СпецЦОН)",
        "name_ru": "СпецЦОН города Астаны",
        "name_en": "SpetsTSON, Astana",
        "city_kk": "Астана",
        "city_ru": "Астана",
        "city_en": "Astana",
        "address_kk": "Астана қ., Тұран даңғылы, 47",
        "address_ru": "г. Астана, проспект Туран, 47",
        "address_en": "47 Turan Avenue, Astana",
        "timezone": "Asia/Almaty",
        **OPENING_HOURS,
    },
    {
        "code": "SHY",
        "name_kk": "Шымкент қаласының ХҚКО (СпецЦОН)",
        "name_ru": "СпецЦОН города Шымкента",
        "name_en": "SpetsTSON, Shymkent",
        "city_kk": "Шымкент",
        "city_ru": "Шымкент",
        "city_en": "Shymkent",
        "address_kk": "Шымкент қ., Тәуке хан даңғылы, 18",
        "address_ru": "г. Шымкент, проспект Тауке хана, 18",
        "address_en": "18 Tauke Khan Avenue, Shymkent",
        "timezone": "Asia/Almaty",
        **OPENING_HOURS,
    },
    {
        "code": "AKT",
        "name_kk": "Ақтөбе қаласының ХҚКО (СпецЦОН)",
        "name_ru": "СпецЦОН города Актобе",
        "name_en": "SpetsTSON, Aktobe",
        "city_kk": "Ақтөбе",
        "city_ru": "Актобе",
        "city_en": "Aktobe",
        "address_kk": "Ақтөбе қ., Әбілқайыр хан даңғылы, 40",
        "address_ru": "г. Актобе, проспект Абулхаир хана, 40",
        "address_en": "40 Abulkhair Khan Avenue, Aktobe",
        # Western Kazakhstan keeps UTC+5.
        "timezone": "Asia/Aqtobe",
        **OPENING_HOURS,
    },
]

# (e-mail, role, centre code, full name, birth date, sex, serial, language)
ACCOUNTS = [
    ("learner@demo.kezek.kz", "user", None, "Айгерім Сәрсенова", date(2004, 3, 15), "female", 101, "kk"),
    ("staff@demo.kezek.kz", "staff", "ALM", "Ерлан Жақсыбеков", date(1988, 7, 2), "male", 202, "ru"),
    ("admin@demo.kezek.kz", "admin", None, "Dana Admin", date(1990, 11, 20), "female", 303, "en"),
]

STAFF_EMAIL = "staff@demo.kezek.kz"  # their centre gets demo bookings for today and tomorrow

# Demo weekly templates: Monday to Friday, hourly 09:00–17:00 local with no exam in the lunch
# break the opening hours announce (13:00–14:00): two periods a day, 09:00–13:00 and 14:00–17:00;
# slots generated from them over the next 4 weeks (public holidays skipped).
SLOT_DAYS = 28
SLOT_WEEKDAYS = range(5)
SLOT_PERIODS = ((time(9), time(13)), (time(14), time(17)))
SLOT_CATEGORIES = ("A", "B", "C", "D", "BE")
# exam type -> (places, minutes)
SLOT_EXAMS = {"theory": (20, 60), "practical": (4, 60)}
