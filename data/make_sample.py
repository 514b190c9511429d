"""Write the committed sample input dataset under data/sample/ (SPEC §2).

Run from the repository root:  python3 data/make_sample.py

Deterministic: one `random.Random(2026)`, standard library only, and the files are rewritten
byte for byte identically on every run. The dataset is a month-end run for October 2026
(reference date and invoice date 2026-10-31) of a group with a Dutch administration (NL01) and a
Belgian one (BE01, CODA mask `YYMMVVFFFF`).

Conventions: percentages on debtors are percent numbers (`2.5` = 2.5 %), a VAT `rate` is a
fraction (`0.21`), booleans are `true`/`false`, empty optional columns are left empty.

Deliberate bad rows (the pipeline must reject exactly these five, each in the middle of its file):
    lines/order_lines.csv    OL-000067  quantity `abc`                 (order O26-0023)
    lines/order_lines.csv    OL-000109  vat_code `X9` (unknown)        (order O26-0038)
    lines/order_lines.csv    OL-000161  line_date `2026-13-45`         (order O26-0057)
    lines/counter_lines.csv  CL-000021  debtor_id `19999` (unknown)    (receipt BON-0010)
    lines/counter_lines.csv  CL-000035  payment_method `cheque`        (receipt BON-0018)
The script asserts that these line ids still hold after any change to the generator.

Other deliberate edge cases (valid rows):
    - debtors 10013 and 20009 are blocked; their lines stay open;
    - lines dated in November 2026 (after the reference date) stay open;
    - orders O26-0050 (NL, 10002) and O26-0064 (BE, 20006) consist only of credit lines;
    - unit prices such as 12.3250, 18.7450 and 119.9950 make half-up rounding of
      quantity x unit_price differ from half-even and from binary floats;
    - issued_invoice_numbers holds 26000003, 26000007 and I701, which numbering must skip;
    - subscription S0006 names admin NL01 but a BE01 project: the project's administration wins;
    - subscription item lines ended before billed_through (S0007) yield credit lines
      (lines/subscription_lines.csv carries that credit line: open unless --include-credit-lines);
    - the run generates the subscription items' periods that lines/subscription_lines does not
      bill (SPEC §7): S0003/ABO-6003 August and September, S0005/LIC-4002's year from
      2026-10-15 and S0008/ONH-5002's July–December (tests/test_sample_end_to_end.py);
    - collective invoicing (SPEC §8): profiles PRJ (per_project, month), VZF (per_sales_relation,
      month), WK (per_concept_debtor, week); project P1002 has invoice_separately, P1003 and
      subscription S0004, course CRS03 and installment T11 are excluded from collecting,
      manual lines are never collected.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

OUT = Path(__file__).resolve().parent / "sample"
RNG = random.Random(2026)

NL, BE = "NL01", "BE01"
REFERENCE_DATE = date(2026, 10, 31)

# Column order of every table, exactly as SPEC §2 names them.
COMMON = [
    "line_id", "debtor_id", "line_date", "item_code", "article_group", "integration_group",
    "description", "quantity", "unit_price", "vat_code", "is_credit", "manual",
]
COLUMNS = {
    "master/administrations": [
        "admin_id", "name", "country", "currency", "receivables_account", "coda_mask",
    ],
    "master/settings": ["key", "value"],
    "master/journals": [
        "admin_id", "journal_code", "journal_type", "description", "last_invoice_number",
        "number_prefix", "number_range_end", "contra_account",
    ],
    "master/accounts": ["admin_id", "account", "description", "account_type"],
    "master/vat_codes": ["admin_id", "vat_code", "rate", "payable_account"],
    "master/integration_types": [
        "admin_id", "integration_type", "journal_code", "credit_journal_code",
        "financial_description", "use_invoice_discount", "invoice_discount_account",
        "use_credit_restriction", "credit_restriction_account", "use_payment_discount",
        "payment_discount_days", "cost_of_sales_rc_account", "purchase_rc_account",
        "stock_transfer_account",
    ],
    "master/article_groups": [
        "admin_id", "article_group", "description", "contains_stock_items", "revenue_account",
        "credit_account", "defer_revenue", "deferral_account", "deferral_method",
        "stock_account", "cost_of_sales_account",
    ],
    "master/integration_groups": [
        "admin_id", "integration_group", "revenue_account", "credit_account",
    ],
    "master/sales_relation_profiles": [
        "profile_id", "invoice_journal_code", "credit_journal_code", "collect_postcalc",
        "collect_subscriptions", "collect_installments", "collect_courses", "collect_method",
        "collect_period",
    ],
    "master/debtors": [
        "debtor_id", "name", "profile_id", "free_code", "payment_term_days",
        "invoice_discount_pct", "credit_restriction_pct", "payment_discount_pct",
        "receivables_account", "blocked",
    ],
    "master/projects": [
        "project_id", "admin_id", "description", "invoice_separately", "exclude_from_collective",
    ],
    "master/project_phases": ["project_id", "phase_id", "description"],
    "master/subscriptions": [
        "subscription_id", "debtor_id", "project_id", "admin_id", "exclude_from_collective",
        "dim_department",
    ],
    "master/subscription_items": [
        "subscription_id", "item_code", "article_group", "description", "quantity",
        "unit_price", "vat_code", "frequency", "start_date", "end_date", "billed_through",
    ],
    "master/courses": ["course_id", "admin_id", "description", "exclude_from_collective"],
    "master/allocation_links": ["axis", "link_type", "field"],
    "master/issued_invoice_numbers": ["number"],
    "lines/order_lines": COMMON + [
        "representative", "warehouse", "admin_id", "order_id", "delivery_date",
    ],
    "lines/counter_lines": COMMON + ["admin_id", "receipt_id", "payment_method"],
    "lines/postcalc_lines": COMMON + ["project_id", "phase_id"],
    "lines/installment_lines": COMMON + ["project_id", "installment_id", "exclude_from_collective"],
    "lines/course_lines": COMMON + ["course_id"],
    "lines/subscription_lines": COMMON + ["subscription_id", "period_start", "period_end"],
}

# Where the deliberate bad rows must land (checked at the end).
EXPECTED_BAD = {
    "lines/order_lines": {
        "OL-000067": ("quantity", "abc"),
        "OL-000109": ("vat_code", "X9"),
        "OL-000161": ("line_date", "2026-13-45"),
    },
    "lines/counter_lines": {
        "CL-000021": ("debtor_id", "19999"),
        "CL-000035": ("payment_method", "cheque"),
    },
}


# ---------------------------------------------------------------------------------------------
# formatting helpers
# ---------------------------------------------------------------------------------------------
def b(flag: bool) -> str:
    return "true" if flag else "false"


def money4(value: Decimal | str) -> str:
    """A unit price: two decimals when that is exact, else four."""
    d = Decimal(value).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return f"{d:.2f}" if d == d.quantize(Decimal("0.01")) else f"{d:.4f}"


def qty(value: Decimal | str | int) -> str:
    """A quantity with at most four decimals and no trailing zeros (`12`, `2.5`, `0.25`)."""
    d = Decimal(str(value)).quantize(Decimal("0.0001"))
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def iso(d: date) -> str:
    return d.isoformat()


def weekday_on_or_after(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


OCTOBER_WORKDAYS = [
    date(2026, 10, day) for day in range(1, 32) if date(2026, 10, day).weekday() < 5
]
NOVEMBER_WORKDAYS = [date(2026, 11, day) for day in (2, 3, 4, 5, 6, 9, 10)]


# ---------------------------------------------------------------------------------------------
# master data
# ---------------------------------------------------------------------------------------------
administrations = [
    {"admin_id": NL, "name": "Werkplek Groep Nederland B.V.", "country": "NL",
     "currency": "EUR", "receivables_account": "1300", "coda_mask": ""},
    {"admin_id": BE, "name": "Werkplek Groep België NV", "country": "BE",
     "currency": "EUR", "receivables_account": "400000", "coda_mask": "YYMMVVFFFF"},
]

settings = [{"key": "default_admin", "value": NL}]

J = "journal_code"
journals = [
    # NL: VK and VF (BE) both have an empty prefix, so both ranges are bounded and disjoint.
    {"admin_id": NL, J: "VK", "journal_type": "sales", "description": "Verkoopboek",
     "last_invoice_number": "26000000", "number_prefix": "", "number_range_end": "26999999",
     "contra_account": ""},
    {"admin_id": NL, J: "VKC", "journal_type": "sales", "description": "Creditnota's verkoop",
     "last_invoice_number": "5000", "number_prefix": "C", "number_range_end": "",
     "contra_account": ""},
    {"admin_id": NL, J: "VKP", "journal_type": "sales", "description": "Verkoopboek projecten",
     "last_invoice_number": "100", "number_prefix": "P[JJJJ]", "number_range_end": "999999",
     "contra_account": ""},
    {"admin_id": NL, J: "KAS", "journal_type": "cash", "description": "Kas winkel Zwolle",
     "last_invoice_number": "0", "number_prefix": "", "number_range_end": "",
     "contra_account": "1000"},
    {"admin_id": NL, J: "BNK", "journal_type": "bank", "description": "Bank ING",
     "last_invoice_number": "0", "number_prefix": "", "number_range_end": "",
     "contra_account": "1100"},
    {"admin_id": NL, J: "MEM", "journal_type": "memorial", "description": "Memoriaal",
     "last_invoice_number": "0", "number_prefix": "", "number_range_end": "",
     "contra_account": ""},
    {"admin_id": NL, J: "IK", "journal_type": "purchase", "description": "Inkoopboek",
     "last_invoice_number": "700", "number_prefix": "I", "number_range_end": "",
     "contra_account": ""},
    {"admin_id": BE, J: "VF", "journal_type": "sales", "description": "Verkoopfacturen",
     "last_invoice_number": "27000000", "number_prefix": "", "number_range_end": "27999999",
     "contra_account": ""},
    {"admin_id": BE, J: "CN", "journal_type": "sales", "description": "Creditnota's",
     "last_invoice_number": "0", "number_prefix": "BC", "number_range_end": "",
     "contra_account": ""},
    {"admin_id": BE, J: "KAS", "journal_type": "cash", "description": "Kas toonzaal Gent",
     "last_invoice_number": "0", "number_prefix": "", "number_range_end": "",
     "contra_account": "570000"},
    {"admin_id": BE, J: "MEM", "journal_type": "memorial", "description": "Diverse posten",
     "last_invoice_number": "0", "number_prefix": "", "number_range_end": "",
     "contra_account": ""},
    {"admin_id": BE, J: "AF", "journal_type": "purchase", "description": "Aankoopfacturen",
     "last_invoice_number": "0", "number_prefix": "BI", "number_range_end": "",
     "contra_account": ""},
]

# (account, description, account_type)
ACCOUNTS = {
    NL: [
        ("1000", "Kas", "balance"),
        ("1100", "Bank ING", "balance"),
        ("1300", "Debiteuren", "balance"),
        ("1305", "Debiteuren groepsmaatschappijen", "balance"),
        ("1450", "Vooruitgefactureerde licenties", "balance"),
        ("1455", "Vooruitgefactureerde onderhoudscontracten", "balance"),
        ("1670", "Te betalen btw overig (0%)", "balance"),
        ("1671", "Te betalen btw hoog tarief", "balance"),
        ("1672", "Te betalen btw laag tarief", "balance"),
        ("3000", "Voorraad handelsgoederen", "balance"),
        ("3010", "Voorraad onderdelen", "balance"),
        ("7000", "Kostprijs omzet handelsgoederen", "result"),
        ("7010", "Kostprijs omzet onderdelen", "result"),
        ("8000", "Omzet handelsgoederen", "result"),
        ("8005", "Creditering handelsgoederen", "result"),
        ("8010", "Omzet onderdelen", "result"),
        ("8015", "Creditering onderdelen", "result"),
        ("8100", "Omzet diensten", "result"),
        ("8105", "Creditering diensten", "result"),
        ("8200", "Omzet licenties", "result"),
        ("8205", "Creditering licenties", "result"),
        ("8250", "Omzet onderhoudscontracten", "result"),
        ("8255", "Creditering onderhoudscontracten", "result"),
        ("8300", "Omzet abonnementen", "result"),
        ("8305", "Creditering abonnementen", "result"),
        ("8400", "Omzet opleidingen", "result"),
        ("8405", "Creditering opleidingen", "result"),
        ("8600", "Omzet webshop", "result"),
        ("8605", "Creditering webshop", "result"),
        ("8700", "Omzet groepsmaatschappijen", "result"),
        ("8705", "Creditering groepsmaatschappijen", "result"),
        ("8900", "Verleende factuurkorting", "result"),
        ("8910", "Kredietbeperking", "result"),
    ],
    BE: [
        ("340000", "Handelsgoederen", "balance"),
        ("400000", "Handelsdebiteuren", "balance"),
        ("451000", "Te betalen btw 0% / vrijgesteld", "balance"),
        ("451006", "Te betalen btw 6%", "balance"),
        ("451021", "Te betalen btw 21%", "balance"),
        ("493000", "Over te dragen opbrengsten licenties", "balance"),
        ("493100", "Over te dragen opbrengsten onderhoud", "balance"),
        ("570000", "Kas", "balance"),
        ("604000", "Kostprijs verkochte handelsgoederen", "result"),
        ("700000", "Verkopen handelsgoederen", "result"),
        ("700090", "Creditnota's handelsgoederen", "result"),
        ("700500", "Verkopen webshop", "result"),
        ("700590", "Creditnota's webshop", "result"),
        ("700700", "Verkopen groepsvennootschappen", "result"),
        ("700790", "Creditnota's groepsvennootschappen", "result"),
        ("703000", "Opbrengsten opleidingen", "result"),
        ("703090", "Creditnota's opleidingen", "result"),
        ("705000", "Dienstverlening", "result"),
        ("705090", "Creditnota's dienstverlening", "result"),
        ("706000", "Opbrengsten licenties", "result"),
        ("706090", "Creditnota's licenties", "result"),
        ("707000", "Opbrengsten onderhoudscontracten", "result"),
        ("707090", "Creditnota's onderhoudscontracten", "result"),
        ("708000", "Opbrengsten abonnementen", "result"),
        ("708090", "Creditnota's abonnementen", "result"),
    ],
}
accounts = [
    {"admin_id": admin, "account": a, "description": d, "account_type": t}
    for admin in (NL, BE)
    for a, d, t in ACCOUNTS[admin]
]

vat_codes = [
    {"admin_id": NL, "vat_code": "H", "rate": "0.21", "payable_account": "1671"},
    {"admin_id": NL, "vat_code": "L", "rate": "0.09", "payable_account": "1672"},
    {"admin_id": NL, "vat_code": "0", "rate": "0.00", "payable_account": "1670"},
    {"admin_id": BE, "vat_code": "21", "rate": "0.21", "payable_account": "451021"},
    {"admin_id": BE, "vat_code": "6", "rate": "0.06", "payable_account": "451006"},
    {"admin_id": BE, "vat_code": "0", "rate": "0.00", "payable_account": "451000"},
]
# item VAT category -> code per administration
VAT = {NL: {"high": "H", "low": "L", "zero": "0"}, BE: {"high": "21", "low": "6", "zero": "0"}}


def itype(admin, kind, journal, credit, fin, *, disc=None, restr=None, pay_days=None):
    return {
        "admin_id": admin, "integration_type": kind, "journal_code": journal,
        "credit_journal_code": credit or "", "financial_description": fin,
        "use_invoice_discount": b(disc is not None), "invoice_discount_account": disc or "",
        "use_credit_restriction": b(restr is not None), "credit_restriction_account": restr or "",
        "use_payment_discount": b(pay_days is not None),
        "payment_discount_days": "" if pay_days is None else str(pay_days),
        "cost_of_sales_rc_account": "", "purchase_rc_account": "", "stock_transfer_account": "",
    }


integration_types = [
    itype(NL, "sales_invoice", "VK", "VKC", "source_delivery_week",
          disc="8900", restr="8910", pay_days=8),
    itype(NL, "counter_invoice", "VK", "VKC", "source_debtor_number_name"),
    itype(NL, "cash_sale", "KAS", None, "source_description"),
    itype(NL, "subscription_invoice", "VK", "VKC", "source_debtor_name"),
    itype(NL, "project_invoice", "VK", "VKC", "source_project_number_description"),
    itype(NL, "course_invoice", "VK", None, "source_description"),
    itype(NL, "collective_invoice", "VK", "VKC", "source_debtor_number_name"),
    itype(NL, "purchase_invoice", "IK", None, "source_description"),
    itype(NL, "stock", "MEM", None, "source_description"),
    itype(BE, "sales_invoice", "VF", "CN", "source_debtor_name", pay_days=10),
    itype(BE, "counter_invoice", "VF", "CN", "source_debtor_number_name"),
    itype(BE, "cash_sale", "KAS", None, "source_description"),
    itype(BE, "subscription_invoice", "VF", "CN", "source_debtor_number_name"),
    itype(BE, "project_invoice", "VF", "CN", "source_project_phase_description"),
    itype(BE, "course_invoice", "VF", "CN", "source_debtor_name"),
    itype(BE, "collective_invoice", "VF", "CN", "source_project_description"),
    itype(BE, "purchase_invoice", "AF", None, "source_description"),
    itype(BE, "stock", "MEM", None, "source_description"),
]


def agroup(admin, code, desc, revenue, credit, *, stock=None, defer=None):
    """stock = (stock_account, cost_of_sales_account); defer = (deferral_account, method)."""
    return {
        "admin_id": admin, "article_group": code, "description": desc,
        "contains_stock_items": b(stock is not None), "revenue_account": revenue,
        "credit_account": credit, "defer_revenue": b(defer is not None),
        "deferral_account": defer[0] if defer else "", "deferral_method": defer[1] if defer else "",
        "stock_account": stock[0] if stock else "",
        "cost_of_sales_account": stock[1] if stock else "",
    }


article_groups = [
    agroup(NL, "HG", "Handelsgoederen kantoorinrichting", "8000", "8005", stock=("3000", "7000")),
    agroup(NL, "OND", "Onderdelen en toebehoren", "8010", "8015", stock=("3010", "7010")),
    agroup(NL, "DIENST", "Diensten en uren", "8100", "8105"),
    agroup(NL, "LIC", "Jaarlicenties software", "8200", "8205", defer=("1450", "equal")),
    agroup(NL, "ONDH", "Onderhoudscontracten", "8250", "8255", defer=("1455", "pro_rata")),
    agroup(NL, "ABO", "Abonnementen", "8300", "8305"),
    agroup(NL, "CURS", "Opleidingen en cursussen", "8400", "8405"),
    agroup(BE, "HG", "Handelsgoederen kantoorinrichting", "700000", "700090",
           stock=("340000", "604000")),
    agroup(BE, "DIENST", "Dienstverlening", "705000", "705090"),
    agroup(BE, "LIC", "Jaarlicenties software", "706000", "706090", defer=("493000", "equal")),
    agroup(BE, "ONDH", "Onderhoudscontracten", "707000", "707090",
           defer=("493100", "pro_rata")),
    agroup(BE, "ABO", "Abonnementen", "708000", "708090"),
    agroup(BE, "CURS", "Opleidingen", "703000", "703090"),
]

integration_groups = [
    {"admin_id": NL, "integration_group": "WEBSHOP", "revenue_account": "8600",
     "credit_account": "8605"},
    {"admin_id": NL, "integration_group": "INTERCO", "revenue_account": "8700",
     "credit_account": "8705"},
    {"admin_id": BE, "integration_group": "WEBSHOP", "revenue_account": "700500",
     "credit_account": "700590"},
    {"admin_id": BE, "integration_group": "INTERCO", "revenue_account": "700700",
     "credit_account": "700790"},
]


def profile(pid, journal="", credit="", *, post=False, subs=False, inst=False, course=False,
            method="per_sales_relation", period="none"):
    return {
        "profile_id": pid, "invoice_journal_code": journal, "credit_journal_code": credit,
        "collect_postcalc": b(post), "collect_subscriptions": b(subs),
        "collect_installments": b(inst), "collect_courses": b(course),
        "collect_method": method, "collect_period": period,
    }


sales_relation_profiles = [
    profile("*****"),
    # STD sets a single collect flag: it never combines modules (SPEC §8 needs two).
    # Its only postcalc debtor (10010) works on one project, so either reading of a single
    # flag gives the same invoices.
    profile("STD", post=True, period="month"),
    profile("PRJ", "VKP", post=True, subs=True, method="per_project", period="month"),
    profile("VZF", subs=True, inst=True, course=True, period="month"),
    profile("WK", post=True, inst=True, method="per_concept_debtor", period="week"),
]

# debtor_id: (name, profile, free_code, term, inv_disc, credit_restr, pay_disc, recv, blocked, rep)
DEBTORS = {
    "10001": ("Bouwbedrijf De Vries B.V.", "STD", "", 30, "", "", "", "", False, "R010"),
    "10002": ("Jansen Installatietechniek B.V.", "", "", 30, "2", "", "", "", False, "R010"),
    "10003": ("Bakkerij Van der Linden", "", "", 14, "", "", "", "", False, "R020"),
    "10004": ("Van Kempen Afbouw", "VZF", "", 30, "", "", "1.5", "", False, "R020"),
    "10005": ("Hoekstra Projectontwikkeling B.V.", "PRJ", "", 30, "", "", "", "", False, "R030"),
    "10006": ("Technisch Bureau Mulder", "WK", "", 14, "", "", "", "", False, "R030"),
    "10007": ("De Groot Transport B.V.", "", "", 30, "", "2", "", "", False, "R010"),
    "10008": ("Schilderwerken Bos & Zn.", "VZF", "", 14, "", "", "", "", False, "R020"),
    "10009": ("Visser Kantoorinrichting", "STD", "", 30, "2.5", "", "", "", False, "R030"),
    "10010": ("Meijer Logistiek B.V.", "STD", "", 30, "", "", "", "", False, "R010"),
    "10011": ("Hendriks Elektro", "*****", "", 14, "", "", "1.5", "", False, "R020"),
    "10012": ("Smit Adviesgroep B.V.", "", "", 30, "", "", "", "", False, "R030"),
    "10013": ("Dekker Metaalbewerking B.V.", "", "", 30, "", "", "", "", True, "R010"),
    "10014": ("Brouwer Tuin & Landschap", "", "", 14, "", "", "", "", False, "R020"),
    "10015": ("Koster Horeca Groothandel B.V.", "STD", "", 30, "2", "2", "", "", False, "R030"),
    "10016": ("Peters ICT Diensten", "VZF", "", 30, "", "", "", "", False, "R010"),
    "10017": ("Van Dijk Vastgoedbeheer", "", "", 30, "", "", "1.5", "", False, "R020"),
    "10018": ("Willems Zorggroep", "*****", "", 30, "", "", "", "", False, "R030"),
    "10019": ("Bakker & Partners Accountants", "STD", "", 14, "", "", "", "", False, "R010"),
    "10020": ("Kok Machinehandel B.V.", "", "", 30, "", "", "", "1305", False, "R020"),
    "10021": ("Stichting Onderwijsgroep Noord", "", "", 30, "", "", "", "", False, "R030"),
    "10022": ("Vermeulen Autoschade", "", "", 14, "", "2", "", "", False, "R010"),
    "10023": ("Timmerfabriek Post B.V.", "STD", "", 30, "", "", "", "", False, "R020"),
    "10024": ("Dijkstra Agrarische Dienstverlening", "", "", 30, "", "", "", "", False, "R030"),
    "10025": ("Van Leeuwen Drukwerk B.V.", "", "", 14, "2.5", "", "1.5", "", False, "R010"),
    "10026": ("Contante verkopen Zwolle", "", "", 14, "", "", "", "", False, "R020"),
    "20001": ("Bouwonderneming Peeters NV", "", "4711", 30, "", "", "2", "", False, "R110"),
    "20002": ("Janssens & Co BV", "STD", "12", 30, "", "", "", "", False, "R110"),
    "20003": ("Maes Logistics BV", "VZF", "305", 30, "", "", "", "", False, "R120"),
    "20004": ("Aannemingen Jacobs NV", "WK", "4711", 30, "", "", "", "", False, "R120"),
    "20005": ("Drukkerij Mertens BV", "", "88", 14, "", "", "", "", False, "R110"),
    "20006": ("Willems Technics BV", "*****", "1020", 30, "", "", "", "", False, "R120"),
    "20007": ("Claes Elektriciteitswerken", "", "7", 30, "", "", "1", "", False, "R110"),
    "20008": ("Goossens Schrijnwerkerij BV", "", "2468", 14, "", "", "", "", False, "R120"),
    "20009": ("Wouters Transport NV", "", "3001", 30, "", "", "", "", True, "R110"),
    "20010": ("De Smet Catering BV", "STD", "55", 30, "2", "", "", "", False, "R120"),
    "20011": ("Vermeersch Tuinaanleg", "", "9", 14, "", "", "", "", False, "R110"),
    "20012": ("Van den Broeck Verhuur NV", "", "", 30, "", "", "", "", False, "R120"),
    "20013": ("Lambrechts Kantoorbenodigdheden BV", "", "640", 30, "", "", "", "", False, "R110"),
    "20014": ("Contante verkopen Gent", "", "1", 14, "", "", "", "", False, "R120"),
}
debtors = [
    {"debtor_id": k, "name": v[0], "profile_id": v[1], "free_code": v[2],
     "payment_term_days": str(v[3]), "invoice_discount_pct": v[4],
     "credit_restriction_pct": v[5], "payment_discount_pct": v[6],
     "receivables_account": v[7], "blocked": b(v[8])}
    for k, v in DEBTORS.items()
]


def admin_of_debtor(debtor_id: str) -> str:
    return NL if debtor_id.startswith("1") else BE


def rep_of(debtor_id: str) -> str:
    return DEBTORS[debtor_id][9]


# project_id: (admin, description, invoice_separately, exclude_from_collective)
PROJECTS = {
    "P1001": (NL, "Nieuwbouw kantoor Zwolle", False, False),
    "P1002": (NL, "Renovatie distributiecentrum Ede", True, False),
    "P1003": (NL, "Inrichting hoofdkantoor Amersfoort", False, True),
    "P1004": (NL, "Onderhoud installaties 2026", False, False),
    "P1005": (NL, "Inrichting showroom Apeldoorn", False, False),
    "P2001": (BE, "Verbouwing magazijn Gent", False, False),
    "P2002": (BE, "Inrichting kantoren Antwerpen", False, False),
}
projects = [
    {"project_id": k, "admin_id": v[0], "description": v[1], "invoice_separately": b(v[2]),
     "exclude_from_collective": b(v[3])}
    for k, v in PROJECTS.items()
]
project_phases = [
    {"project_id": p, "phase_id": f, "description": d}
    for p, f, d in [
        ("P1001", "F01", "Voorbereiding"), ("P1001", "F02", "Ontwerp"),
        ("P1001", "F03", "Uitvoering"), ("P1002", "F01", "Sloopwerk"),
        ("P1002", "F02", "Inrichting"), ("P1003", "F01", "Uitvoering"),
        ("P1004", "F01", "Periodiek onderhoud"), ("P1005", "F01", "Ontwerp"),
        ("P1005", "F02", "Realisatie"), ("P2001", "F01", "Ontwerp"),
        ("P2001", "F02", "Uitvoering"), ("P2002", "F01", "Levering en montage"),
    ]
]

# subscription_id: (debtor, project, admin, exclude_from_collective, dim_department)
SUBSCRIPTIONS = {
    "S0001": ("10004", "", "", False, "SERV"),
    "S0002": ("10005", "P1001", "", False, "PROJ"),
    "S0003": ("10007", "", NL, False, "SERV"),
    "S0004": ("10010", "", NL, True, ""),
    "S0005": ("20003", "", BE, False, "SERV"),
    "S0006": ("20005", "P2002", NL, False, ""),  # the project's BE01 wins over admin_id NL01
    "S0007": ("10012", "", NL, False, "SERV"),
    "S0008": ("10016", "", "", False, "SERV"),
}
subscriptions = [
    {"subscription_id": k, "debtor_id": v[0], "project_id": v[1], "admin_id": v[2],
     "exclude_from_collective": b(v[3]), "dim_department": v[4]}
    for k, v in SUBSCRIPTIONS.items()
]


def subscription_admin(subscription_id: str) -> str:
    _, project, admin, _, _ = SUBSCRIPTIONS[subscription_id]
    if project:
        return PROJECTS[project][0]
    return admin or NL


# item_code: (article_group, description, unit_price, vat category)
ITEMS = {
    "HG-1001": ("HG", "Bureaustoel Ergo Pro", "249.00", "high"),
    "HG-1002": ("HG", "Zit-sta bureau 160x80", "589.00", "high"),
    "HG-1003": ("HG", "Monitor 27 inch 4K", "329.95", "high"),
    "HG-1004": ("HG", "Dockingstation USB-C", "189.50", "high"),
    "HG-1005": ("HG", "Archiefkast staal 195 cm", "412.75", "high"),
    "HG-1006": ("HG", "Vergadertafel eiken 240x110", "1245.00", "high"),
    "HG-1007": ("HG", "Headset draadloos duo", "119.9950", "high"),
    "HG-1008": ("HG", "Koffiebonen espresso 1 kg", "21.4750", "low"),
    "HG-1009": ("HG", "Vakboek Gezond werken op kantoor", "34.50", "low"),
    "OND-2001": ("OND", "Zwenkwielset harde vloer (5 st.)", "24.95", "high"),
    "OND-2002": ("OND", "Gasveer bureaustoel", "39.5000", "high"),
    "OND-2003": ("OND", "Kabelgoot aluminium per meter", "18.7450", "high"),
    "OND-2004": ("OND", "Voedingsadapter 90W", "44.00", "high"),
    "OND-2005": ("OND", "Bevestigingsset monitorarm", "12.3250", "high"),
    "DNS-3001": ("DIENST", "Montage per uur", "72.50", "high"),
    "DNS-3002": ("DIENST", "Advies inrichting per uur", "115.00", "high"),
    "DNS-3003": ("DIENST", "Voorrijkosten", "45.00", "high"),
    "DNS-3004": ("DIENST", "Projectmanagement per uur", "125.00", "high"),
    "DNS-3005": ("DIENST", "Installatie werkplek", "89.00", "high"),
    "DNS-3006": ("DIENST", "Termijnfactuur volgens contract", "1000.00", "high"),
    "LIC-4001": ("LIC", "Jaarlicentie planningssoftware", "1200.00", "high"),
    "LIC-4002": ("LIC", "Jaarlicentie CAD-viewer", "480.00", "high"),
    "ONH-5001": ("ONDH", "Onderhoudscontract werkplekken", "360.00", "high"),
    "ONH-5002": ("ONDH", "Servicecontract installaties", "780.00", "high"),
    "ABO-6001": ("ABO", "Cloudopslag 1 TB", "9.95", "high"),
    "ABO-6002": ("ABO", "Helpdesk-abonnement", "149.00", "high"),
    "ABO-6003": ("ABO", "Huur koffieautomaat", "65.00", "high"),
    "ABO-6004": ("ABO", "Printerlease A3 multifunctional", "89.7500", "high"),
    "CRS-7001": ("CURS", "Cursusgeld per deelnemer", "695.00", "zero"),
    "CRS-7002": ("CURS", "Lesmateriaal", "45.00", "high"),
    "CRS-7003": ("CURS", "Examengeld", "125.00", "zero"),
}
BE_GROUPS = {"HG", "DIENST", "LIC", "ONDH", "ABO", "CURS"}  # BE has no OND group

# subscription_id, item, quantity, frequency, start, end, billed_through
subscription_items = []
for sid, item, q, freq, start, end, through in [
    ("S0001", "ABO-6002", "1", "month", "2026-01-01", "", "2026-09-30"),
    ("S0001", "ABO-6001", "3", "month", "2026-03-01", "", "2026-09-30"),
    ("S0002", "ONH-5002", "1", "quarter", "2026-04-01", "", "2026-09-30"),
    ("S0002", "LIC-4001", "1", "year", "2026-10-01", "", ""),
    ("S0003", "ABO-6003", "2", "month", "2026-08-01", "", ""),
    ("S0003", "ABO-6001", "1", "month", "2026-11-01", "", ""),
    ("S0004", "ABO-6004", "1", "month", "2025-06-01", "", "2026-09-30"),
    ("S0004", "ONH-5001", "4", "quarter", "2026-07-01", "", "2026-09-30"),
    ("S0005", "ABO-6002", "1", "month", "2026-02-01", "", "2026-09-30"),
    ("S0005", "LIC-4002", "2", "year", "2026-10-15", "", ""),
    ("S0006", "ABO-6001", "5", "month", "2026-05-01", "", "2026-09-30"),
    ("S0007", "ONH-5001", "2", "quarter", "2026-01-01", "2026-10-31", "2026-12-31"),
    ("S0007", "ABO-6002", "1", "month", "2025-11-01", "2026-10-31", "2026-09-30"),
    ("S0008", "ONH-5002", "1", "half_year", "2026-01-01", "", "2026-06-30"),
    ("S0008", "ABO-6004", "2", "month", "2026-09-01", "2027-08-31", "2026-09-30"),
]:
    group, desc, price, vat = ITEMS[item]
    subscription_items.append({
        "subscription_id": sid, "item_code": item, "article_group": group,
        "description": desc, "quantity": q, "unit_price": money4(price),
        "vat_code": VAT[subscription_admin(sid)][vat], "frequency": freq, "start_date": start,
        "end_date": end, "billed_through": through,
    })

# course_id: (admin, description, exclude_from_collective)
COURSES = {
    "CRS01": ("", "Basiscursus ergonomisch werken", False),
    "CRS02": (NL, "Leidinggeven aan facilitaire teams", False),
    "CRS03": (NL, "BHV basisopleiding", True),
    "CRS04": (BE, "Opleiding heftruckchauffeur", False),
    "CRS05": (BE, "Veilig werken op hoogte", False),
}
courses = [
    {"course_id": k, "admin_id": v[0], "description": v[1], "exclude_from_collective": b(v[2])}
    for k, v in COURSES.items()
]

allocation_links = [
    {"axis": "department", "link_type": "sales_orders", "field": "representative"},
    {"axis": "warehouse", "link_type": "sales_orders", "field": "warehouse"},
    {"axis": "department", "link_type": "subscriptions", "field": "representative"},
]

issued_invoice_numbers = [{"number": n} for n in ("26000003", "26000007", "I701")]


# ---------------------------------------------------------------------------------------------
# billable lines
# ---------------------------------------------------------------------------------------------
def line(debtor, when, item, admin, *, q="1", price=None, credit=False, manual=False,
         igroup="", desc=None, vat=None):
    group, name, list_price, vat_cat = ITEMS[item]
    return {
        "debtor_id": debtor, "line_date": when if isinstance(when, str) else iso(when),
        "item_code": item, "article_group": group, "integration_group": igroup,
        "description": desc or name, "quantity": qty(q),
        "unit_price": money4(price if price is not None else list_price),
        "vat_code": vat or VAT[admin][vat_cat], "is_credit": b(credit), "manual": b(manual),
    }


QTY = {
    "HG": ["1", "1", "1", "2", "2", "3", "4", "6", "10", "12"],
    "OND": ["1", "2", "2.5", "5", "7.5", "10", "12", "24"],
    "DIENST": ["0.5", "1", "1.5", "2", "2.25", "3", "3.75", "4", "8"],
}
ORDER_ITEMS = {
    NL: [k for k, v in ITEMS.items() if v[0] in ("HG", "OND", "DIENST") and k != "DNS-3006"],
    BE: [k for k, v in ITEMS.items() if v[0] in ("HG", "DIENST") and k != "DNS-3006"],
}
NL_ORDER_DEBTORS = [d for d in DEBTORS if d.startswith("1") and d not in ("10013", "10026")]
BE_ORDER_DEBTORS = [d for d in DEBTORS if d.startswith("2") and d not in ("20009", "20014")]


def agreed_price(item: str) -> Decimal:
    """List price, or for about one line in four a negotiated discount (four decimals)."""
    price = Decimal(ITEMS[item][2])
    if RNG.random() < 0.25:
        price *= 1 - Decimal(RNG.choice(["0.05", "0.075", "0.125"]))
    return price.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def random_order_line(debtor, when, admin):
    item = RNG.choice(ORDER_ITEMS[admin])
    row = line(debtor, when, item, admin, q=RNG.choice(QTY[ITEMS[item][0]]),
               price=agreed_price(item), manual=(item == "DNS-3003" and RNG.random() < 0.5))
    if RNG.random() < 0.07:
        row["integration_group"] = "WEBSHOP"
    return row


def with_order_extras(row, admin, warehouse=None):
    row["representative"] = rep_of(row["debtor_id"])
    if warehouse is None:
        stock = ITEMS[row["item_code"]][0] in ("HG", "OND")
        warehouse = (RNG.choice(["ZWL", "ZWL", "EDE"]) if admin == NL else "GNT") if stock else ""
    row["warehouse"] = warehouse
    row["admin_id"] = admin
    return row


# An order: (date, admin, debtor, [lines]); line_id, order_id and delivery_date come later.
orders = []
for _ in range(50):
    debtor = RNG.choice(NL_ORDER_DEBTORS)
    when = RNG.choice(OCTOBER_WORKDAYS)
    n = RNG.choices([1, 2, 3, 4, 5], weights=[18, 25, 25, 18, 14])[0]
    orders.append((when, NL, debtor, [random_order_line(debtor, when, NL) for _ in range(n)]))
for _ in range(22):
    debtor = RNG.choice(BE_ORDER_DEBTORS)
    when = RNG.choice(OCTOBER_WORKDAYS)
    n = RNG.choices([1, 2, 3, 4, 5], weights=[18, 25, 25, 18, 14])[0]
    orders.append((when, BE, debtor, [random_order_line(debtor, when, BE) for _ in range(n)]))

D = date  # brevity for the hand-made orders below
special_orders = [
    # the first BE sales invoice (27000001, debtor 20001, free code 4711) reproduces the
    # CODA example of SPEC §10: +++261/0110/00151+++
    (D(2026, 10, 1), BE, "20001", [
        line("20001", D(2026, 10, 1), "HG-1002", BE, q="4"),
        line("20001", D(2026, 10, 1), "DNS-3001", BE, q="6"),
    ]),
    # rounding: 12.325 / 18.745 / 359.985 end in a half cent (half-up differs from half-even
    # and from binary floats); 2.5 x 21.4750 = 53.6875
    (D(2026, 10, 6), NL, "10001", [
        line("10001", D(2026, 10, 6), "OND-2005", NL, q="1"),
        line("10001", D(2026, 10, 6), "OND-2003", NL, q="1"),
        line("10001", D(2026, 10, 6), "HG-1007", NL, q="3"),
        line("10001", D(2026, 10, 6), "HG-1008", NL, q="2.5"),
    ]),
    (D(2026, 10, 14), BE, "20010", [
        line("20010", D(2026, 10, 14), "HG-1007", BE, q="1"),
        line("20010", D(2026, 10, 14), "HG-1008", BE, q="2", price="6.1625"),
    ]),
    # mixed orders with a credit line (positive quantity, is_credit true)
    (D(2026, 10, 8), NL, "10009", [
        line("10009", D(2026, 10, 8), "HG-1001", NL, q="6"),
        line("10009", D(2026, 10, 8), "HG-1001", NL, q="1", credit=True,
             desc="Retour bureaustoel Ergo Pro (beschadigd)"),
    ]),
    (D(2026, 10, 21), NL, "10015", [
        line("10015", D(2026, 10, 21), "HG-1006", NL, q="2"),
        line("10015", D(2026, 10, 21), "DNS-3001", NL, q="3"),
        line("10015", D(2026, 10, 21), "DNS-3003", NL, q="1", credit=True, manual=True,
             desc="Creditering voorrijkosten (coulance)"),
    ]),
    (D(2026, 10, 16), BE, "20002", [
        line("20002", D(2026, 10, 16), "HG-1003", BE, q="8"),
        line("20002", D(2026, 10, 16), "HG-1003", BE, q="1", credit=True,
             desc="Retour monitor 27 inch 4K"),
    ]),
    # integration groups
    (D(2026, 10, 12), NL, "10020", [
        line("10020", D(2026, 10, 12), "HG-1002", NL, q="10", igroup="INTERCO"),
        line("10020", D(2026, 10, 12), "HG-1001", NL, q="10", igroup="INTERCO"),
        line("10020", D(2026, 10, 12), "DNS-3005", NL, q="10", igroup="INTERCO"),
    ]),
    (D(2026, 10, 27), NL, "10020", [
        line("10020", D(2026, 10, 27), "HG-1004", NL, q="2", credit=True, igroup="INTERCO",
             desc="Creditering dockingstation USB-C (dubbel geleverd)"),
        line("10020", D(2026, 10, 27), "OND-2004", NL, q="4", igroup="INTERCO"),
    ]),
    (D(2026, 10, 22), BE, "20013", [
        line("20013", D(2026, 10, 22), "HG-1009", BE, q="12", igroup="INTERCO"),
        line("20013", D(2026, 10, 22), "HG-1004", BE, q="3", igroup="WEBSHOP"),
    ]),
    # a zero-rated line next to a high-rated one (two VAT codes on one invoice)
    (D(2026, 10, 19), NL, "10021", [
        line("10021", D(2026, 10, 19), "HG-1005", NL, q="3"),
        line("10021", D(2026, 10, 19), "CRS-7003", NL, q="4"),
    ]),
    # the blocked debtors: these lines stay open
    (D(2026, 10, 5), NL, "10013", [
        line("10013", D(2026, 10, 5), "HG-1003", NL, q="2"),
        line("10013", D(2026, 10, 5), "DNS-3005", NL, q="2"),
    ]),
    (D(2026, 10, 26), NL, "10013", [
        line("10013", D(2026, 10, 26), "OND-2002", NL, q="5"),
    ]),
    (D(2026, 10, 15), BE, "20009", [
        line("20009", D(2026, 10, 15), "HG-1005", BE, q="2"),
        line("20009", D(2026, 10, 15), "DNS-3003", BE, q="1", manual=True),
    ]),
    # an order whose last line is dated after the reference date
    (D(2026, 10, 29), NL, "10017", [
        line("10017", D(2026, 10, 29), "HG-1002", NL, q="2"),
        line("10017", D(2026, 10, 29), "DNS-3001", NL, q="2.5"),
        line("10017", D(2026, 11, 3), "DNS-3001", NL, q="1.5",
             desc="Montage per uur (nalevering)"),
    ]),
]
# orders that consist only of credit lines: credit invoices (VKC resp. CN)
credit_orders = [
    (D(2026, 10, 20), NL, "10002", [
        line("10002", D(2026, 10, 20), "HG-1003", NL, q="2", credit=True,
             desc="Retour monitor 27 inch 4K (verkeerd besteld)"),
        line("10002", D(2026, 10, 20), "OND-2001", NL, q="4", credit=True,
             desc="Retour zwenkwielset harde vloer"),
    ]),
    (D(2026, 10, 23), BE, "20006", [
        line("20006", D(2026, 10, 23), "HG-1006", BE, q="1", credit=True,
             desc="Creditnota vergadertafel eiken (transportschade)"),
    ]),
]
november_orders = [
    (D(2026, 11, 2), NL, "10003", [
        line("10003", D(2026, 11, 2), "HG-1008", NL, q="12"),
        line("10003", D(2026, 11, 2), "HG-1001", NL, q="2"),
        line("10003", D(2026, 11, 2), "DNS-3003", NL, q="1"),
    ]),
    (D(2026, 11, 4), NL, "10022", [
        line("10022", D(2026, 11, 4), "HG-1004", NL, q="3"),
        line("10022", D(2026, 11, 4), "OND-2004", NL, q="3"),
        line("10022", D(2026, 11, 4), "DNS-3005", NL, q="3"),
    ]),
    (D(2026, 11, 5), BE, "20008", [
        line("20008", D(2026, 11, 5), "HG-1002", BE, q="2"),
        line("20008", D(2026, 11, 5), "HG-1001", BE, q="2"),
        line("20008", D(2026, 11, 5), "DNS-3001", BE, q="4"),
    ]),
]

all_orders = orders + special_orders + credit_orders + november_orders
# stable ordering: by date, then admin and debtor; ties keep generation order
all_orders = [o for _, o in sorted(enumerate(all_orders), key=lambda t: (t[1][0], t[1][1],
                                                                         t[1][2], t[0]))]

# the three bad order rows: single-line orders placed in the middle of the file
bad_orders = [
    (22, (D(2026, 10, 9), NL, "10011", [line("10011", D(2026, 10, 9), "HG-1001", NL, q="2")]),
     {"quantity": "abc"}),
    (37, (D(2026, 10, 15), NL, "10024", [line("10024", D(2026, 10, 15), "OND-2004", NL, q="1")]),
     {"vat_code": "X9"}),
    (56, (D(2026, 10, 22), BE, "20011", [line("20011", D(2026, 10, 22), "DNS-3002", BE, q="2")]),
     {"line_date": "2026-13-45"}),
]
for index, order, patch in sorted(bad_orders, key=lambda t: t[0]):
    order[3][0]["_patch"] = patch
    all_orders.insert(index, order)

order_lines = []
for number, (when, admin, _debtor, rows) in enumerate(all_orders, start=1):
    delivery = weekday_on_or_after(when + timedelta(days=RNG.choice([0, 1, 1, 2, 3, 5])))
    for row in rows:
        row = with_order_extras(row, admin)
        row["order_id"] = f"O26-{number:04d}"
        row["delivery_date"] = iso(delivery)
        row["line_id"] = f"OL-{len(order_lines) + 1:06d}"
        row.update(row.pop("_patch", {}))
        order_lines.append(row)

# counter (balie) receipts: 1-3 lines, one payment method per receipt
COUNTER_ITEMS = {
    NL: ["HG-1001", "HG-1003", "HG-1004", "HG-1007", "HG-1008", "HG-1009", "OND-2001",
         "OND-2002", "OND-2003", "OND-2004", "OND-2005"],
    BE: ["HG-1001", "HG-1003", "HG-1004", "HG-1007", "HG-1008", "HG-1009"],
}
COUNTER_QTY = ["1", "1", "1", "2", "2", "3", "5"]
receipts = []
for _ in range(26):
    admin = NL if RNG.random() < 0.7 else BE
    cash_customer = "10026" if admin == NL else "20014"
    if RNG.random() < 0.55:
        debtor, method = cash_customer, RNG.choice(["cash", "pin", "pin", "chip"])
    else:
        pool = NL_ORDER_DEBTORS if admin == NL else BE_ORDER_DEBTORS
        debtor = RNG.choice(pool)
        method = RNG.choice(["on_account", "on_account", "pin"])
    when = RNG.choice(OCTOBER_WORKDAYS)
    n = RNG.choices([1, 2, 3], weights=[30, 40, 30])[0]
    rows = []
    for _ in range(n):
        item = RNG.choice(COUNTER_ITEMS[admin])
        q = "2.5" if item == "OND-2003" else RNG.choice(COUNTER_QTY)
        rows.append(line(debtor, when, item, admin, q=q))
    receipts.append((when, admin, debtor, method, rows))
receipts += [
    # a return at the counter inside a sale, paid by pin
    (D(2026, 10, 13), NL, "10026", "pin", [
        line("10026", D(2026, 10, 13), "HG-1004", NL, q="1"),
        line("10026", D(2026, 10, 13), "OND-2004", NL, q="1", credit=True,
             desc="Retour voedingsadapter 90W"),
    ]),
    # a webshop pickup, on account
    (D(2026, 10, 28), NL, "10014", "on_account", [
        line("10014", D(2026, 10, 28), "HG-1009", NL, q="3", igroup="WEBSHOP"),
    ]),
    # after the reference date: stays open
    (D(2026, 11, 2), NL, "10026", "cash", [
        line("10026", D(2026, 11, 2), "HG-1008", NL, q="2"),
        line("10026", D(2026, 11, 2), "OND-2005", NL, q="1"),
    ]),
]
receipts = [r for _, r in sorted(enumerate(receipts), key=lambda t: (t[1][0], t[1][1], t[0]))]
bad_receipts = [
    (9, (D(2026, 10, 14), NL, "19999", "pin", [line("19999", D(2026, 10, 14), "HG-1007", NL)]),
     {}),
    (17, (D(2026, 10, 21), NL, "10026", "cheque",
          [line("10026", D(2026, 10, 21), "HG-1003", NL)]), {}),
]
for index, receipt, _ in sorted(bad_receipts, key=lambda t: t[0]):
    receipts.insert(index, receipt)

counter_lines = []
for number, (_, admin, _, method, rows) in enumerate(receipts, start=1):
    for row in rows:
        row.update({"admin_id": admin, "receipt_id": f"BON-{number:04d}",
                    "payment_method": method,
                    "line_id": f"CL-{len(counter_lines) + 1:06d}"})
        counter_lines.append(row)


def project_line(debtor, when, item, project, phase="", *, q="1", price=None, credit=False,
                 manual=False, desc=None):
    row = line(debtor, when, item, PROJECTS[project][0], q=q, price=price, credit=credit,
               manual=manual, desc=desc)
    row.update({"project_id": project, "phase_id": phase})
    return row


postcalc_lines = [
    project_line("10005", "2026-09-29", "DNS-3002", "P1001", "F01", q="6"),
    project_line("10005", "2026-10-02", "DNS-3002", "P1001", "F02", q="12.5"),
    project_line("10005", "2026-10-09", "DNS-3004", "P1001", "F02", q="8"),
    project_line("10005", "2026-10-16", "HG-1006", "P1001", "F03", q="2"),
    project_line("10005", "2026-10-16", "DNS-3001", "P1001", "F03", q="14.75"),
    project_line("10005", "2026-10-23", "DNS-3002", "P1001", "F02", q="2", credit=True,
                 desc="Correctie uren advies week 41"),
    project_line("10005", "2026-10-20", "DNS-3004", "P1004", "F01", q="3"),
    project_line("10005", "2026-10-27", "OND-2003", "P1004", "F01", q="22.5"),
    project_line("10006", "2026-10-06", "DNS-3001", "P1002", "F01", q="16"),
    project_line("10006", "2026-10-07", "OND-2005", "P1002", "F02", q="9"),
    project_line("10006", "2026-10-20", "DNS-3001", "P1002", "F02", q="24"),
    project_line("10006", "2026-10-21", "DNS-3003", "P1002", "", manual=True),
    project_line("10009", "2026-10-13", "DNS-3004", "P1003", "F01", q="10"),
    project_line("10009", "2026-10-14", "HG-1002", "P1003", "F01", q="12"),
    project_line("10009", "2026-10-28", "DNS-3001", "P1003", "F01", q="7.5"),
    project_line("10010", "2026-10-05", "DNS-3005", "P1004", "F01", q="4"),
    project_line("10010", "2026-10-19", "OND-2002", "P1004", "F01", q="6"),
    project_line("10004", "2026-10-08", "DNS-3002", "P1005", "F01", q="5"),
    project_line("10004", "2026-11-03", "DNS-3001", "P1005", "F02", q="8"),
    project_line("20004", "2026-10-05", "DNS-3002", "P2001", "F01", q="9"),
    project_line("20004", "2026-10-13", "DNS-3001", "P2001", "F02", q="18"),
    project_line("20004", "2026-10-14", "HG-1005", "P2001", "F02", q="6"),
    project_line("20004", "2026-10-26", "DNS-3003", "P2001", "", q="3", manual=True),
]
for i, row in enumerate(postcalc_lines, start=1):
    row["line_id"] = f"PL-{i:06d}"


def installment(debtor, when, project, inst, amount, desc, *, exclude=False, manual=False):
    row = line(debtor, when, "DNS-3006", PROJECTS[project][0], price=amount, manual=manual,
               desc=desc)
    row.update({"project_id": project, "installment_id": inst,
                "exclude_from_collective": b(exclude)})
    return row


installment_lines = [
    installment("10005", "2026-10-01", "P1001", "T02", "2500.00", "Termijn 2 van 5: ontwerp"),
    installment("10006", "2026-10-05", "P1002", "T01", "2250.00", "Termijn 1 van 3: sloopwerk"),
    installment("10006", "2026-10-19", "P1002", "T02", "1875.50", "Termijn 2 van 3: inrichting"),
    installment("10008", "2026-10-12", "P1002", "T03", "950.00", "Meerwerk schilderwerk"),
    installment("10004", "2026-10-01", "P1004", "T10", "1250.00", "Termijn oktober onderhoud"),
    installment("10004", "2026-10-01", "P1004", "T11", "312.45",
                "Indexering onderhoud 2026", exclude=True),
    installment("10004", "2026-10-15", "P1005", "T01", "1999.95", "Termijn 1 van 2: ontwerp"),
    installment("10012", "2026-10-30", "P1004", "T01", "875.00", "Termijn 1 van 1: keuring",
                manual=True),
    installment("10004", "2026-11-16", "P1005", "T02", "1999.95", "Termijn 2 van 2: realisatie"),
    installment("20004", "2026-10-05", "P2001", "T01", "2400.00", "Voorschot 1 van 3"),
    installment("20004", "2026-10-19", "P2001", "T02", "2400.00", "Voorschot 2 van 3"),
    installment("20003", "2026-10-09", "P2002", "T01", "1650.00", "Voorschot levering meubilair"),
    installment("20005", "2026-10-26", "P2002", "T01", "785.25", "Voorschot montage drukkerij"),
]
for i, row in enumerate(installment_lines, start=1):
    row["line_id"] = f"IL-{i:06d}"


def course_line(debtor, when, item, course, *, q="1", credit=False, manual=False, desc=None):
    admin = COURSES[course][0] or NL
    row = line(debtor, when, item, admin, q=q, credit=credit, manual=manual, desc=desc)
    row["course_id"] = course
    return row


course_lines = [
    course_line("10004", "2026-10-06", "CRS-7001", "CRS01", q="2"),
    course_line("10004", "2026-10-06", "CRS-7002", "CRS01", q="2"),
    course_line("10016", "2026-10-06", "CRS-7001", "CRS01", q="3"),
    course_line("10016", "2026-10-06", "CRS-7002", "CRS01", q="3"),
    course_line("10001", "2026-10-06", "CRS-7001", "CRS01", q="1"),
    course_line("10001", "2026-10-20", "CRS-7001", "CRS01", q="1", credit=True,
                desc="Annulering deelname basiscursus"),
    course_line("10018", "2026-10-13", "CRS-7001", "CRS02", q="4"),
    course_line("10018", "2026-10-13", "CRS-7003", "CRS02", q="4"),
    course_line("10004", "2026-10-13", "CRS-7001", "CRS02", q="1"),
    course_line("10016", "2026-10-22", "CRS-7001", "CRS03", q="2"),
    course_line("10016", "2026-10-22", "CRS-7002", "CRS03", q="2", manual=True,
                desc="Lesmateriaal BHV (extra set)"),
    course_line("10021", "2026-11-10", "CRS-7001", "CRS02", q="6"),
    course_line("20003", "2026-10-08", "CRS-7001", "CRS04", q="2"),
    course_line("20003", "2026-10-08", "CRS-7003", "CRS04", q="2"),
    course_line("20007", "2026-10-15", "CRS-7001", "CRS05", q="3"),
    course_line("20007", "2026-10-27", "CRS-7001", "CRS05", q="1", credit=True,
                desc="Annulering deelnemer veilig werken op hoogte"),
    course_line("20011", "2026-10-15", "CRS-7001", "CRS05", q="1"),
    course_line("20011", "2026-10-15", "CRS-7002", "CRS05", q="1"),
]
for i, row in enumerate(course_lines, start=1):
    row["line_id"] = f"CO-{i:06d}"


def subscription_line(sid, item, q, start, end, *, credit=False, price=None, desc=None):
    debtor = SUBSCRIPTIONS[sid][0]
    row = line(debtor, start, item, subscription_admin(sid), q=q, price=price, credit=credit,
               desc=desc)
    row.update({"subscription_id": sid, "period_start": start, "period_end": end})
    return row


# The October billing periods of the subscription items (as a subscription module exports them).
subscription_lines = [
    subscription_line("S0001", "ABO-6002", "1", "2026-10-01", "2026-10-31"),
    subscription_line("S0001", "ABO-6001", "3", "2026-10-01", "2026-10-31"),
    subscription_line("S0002", "ONH-5002", "1", "2026-10-01", "2026-12-31"),
    subscription_line("S0002", "LIC-4001", "1", "2026-10-01", "2027-09-30"),
    subscription_line("S0003", "ABO-6003", "2", "2026-10-01", "2026-10-31"),
    subscription_line("S0003", "ABO-6003", "2", "2026-11-01", "2026-11-30"),
    subscription_line("S0004", "ABO-6004", "1", "2026-10-01", "2026-10-31"),
    subscription_line("S0004", "ONH-5001", "4", "2026-10-01", "2026-12-31"),
    subscription_line("S0005", "ABO-6002", "1", "2026-10-01", "2026-10-31"),
    subscription_line("S0006", "ABO-6001", "5", "2026-10-01", "2026-10-31"),
    subscription_line("S0007", "ABO-6002", "1", "2026-10-01", "2026-10-31"),
    # S0007's quarterly contract ended 2026-10-31 but was billed through 2026-12-31
    subscription_line("S0007", "ONH-5001", "2", "2026-10-31", "2026-12-31", credit=True,
                      price="240.00", desc="Creditering onderhoud nov-dec (contract beeindigd)"),
    subscription_line("S0008", "ABO-6004", "2", "2026-10-01", "2026-10-31"),
]
for i, row in enumerate(subscription_lines, start=1):
    row["line_id"] = f"SL-{i:06d}"



# ---------------------------------------------------------------------------------------------
# stock (SPEC §9, docs/stock.md): NL01 holds the stock of HG and OND and delivers for BE01, which
# invoices some of it (Voorraad Rekening Courant) and receives stock transfers from NL01; BE01
# holds HG stock of its own. Hand-made, no random numbers (the figures are hand-computed in
# tests/test_sample_end_to_end.py): deliveries on 5, 12 and 20 October, a transfer with and one
# without a price difference, SM-0003 rounds half-up (3 x 12.3350 = 37.005 -> 37.01), SM-0007 is
# dated after the reference date (open).
# ---------------------------------------------------------------------------------------------
accounts += [
    {"admin_id": NL, "account": "1350", "description": "Rekening courant BE01",
     "account_type": "balance"},
    {"admin_id": NL, "account": "8950", "description": "Resultaat voorraadoverboekingen",
     "account_type": "result"},
    {"admin_id": BE, "account": "489000", "description": "Rekening-courant NL01",
     "account_type": "balance"},
]
for row in integration_types:
    if row["integration_type"] == "stock" and row["admin_id"] == NL:
        row.update(cost_of_sales_rc_account="1350", stock_transfer_account="8950")
    if row["integration_type"] == "stock" and row["admin_id"] == BE:
        row.update(purchase_rc_account="489000")
integration_types.append(
    dict(itype(BE, "stock_intercompany", "MEM", None, "source_description"),
         cost_of_sales_rc_account="489000"))
COLUMNS["lines/stock_mutations"] = [
    "mutation_id", "kind", "stock_admin_id", "invoice_admin_id", "to_admin_id", "item_code",
    "article_group", "quantity", "cost_price", "transfer_price", "mutation_date",
]


def mutation(mid, kind, stock, invoice, to, item, group, q, cost, transfer, when):
    return {"mutation_id": mid, "kind": kind, "stock_admin_id": stock, "invoice_admin_id": invoice,
            "to_admin_id": to, "item_code": item, "article_group": group, "quantity": q,
            "cost_price": cost, "transfer_price": transfer, "mutation_date": when}


stock_mutations = [
    mutation("SM-0001", "delivery", NL, NL, "", "HG-1002", "HG", "4", "301.5000", "", "2026-10-05"),
    mutation("SM-0002", "delivery", NL, NL, "", "OND-2001", "OND", "10", "2.3450", "", "2026-10-05"),
    mutation("SM-0003", "delivery", NL, BE, "", "HG-1004", "HG", "3", "12.3350", "", "2026-10-12"),
    mutation("SM-0004", "transfer", NL, NL, BE, "HG-1002", "HG", "5", "200.0000", "220.0000",
             "2026-10-20"),
    mutation("SM-0005", "transfer", NL, NL, BE, "HG-1008", "HG", "1", "80.0000", "", "2026-10-20"),
    mutation("SM-0006", "delivery", BE, BE, "", "HG-1002", "HG", "1", "95.5000", "", "2026-10-12"),
    mutation("SM-0007", "delivery", NL, NL, "", "HG-1002", "HG", "2", "301.5000", "", "2026-11-03"),
]


# ---------------------------------------------------------------------------------------------
# write
# ---------------------------------------------------------------------------------------------
TABLES = {
    "master/administrations": administrations,
    "master/settings": settings,
    "master/journals": journals,
    "master/accounts": accounts,
    "master/vat_codes": vat_codes,
    "master/integration_types": integration_types,
    "master/article_groups": article_groups,
    "master/integration_groups": integration_groups,
    "master/sales_relation_profiles": sales_relation_profiles,
    "master/debtors": debtors,
    "master/projects": projects,
    "master/project_phases": project_phases,
    "master/subscriptions": subscriptions,
    "master/subscription_items": subscription_items,
    "master/courses": courses,
    "master/allocation_links": allocation_links,
    "master/issued_invoice_numbers": issued_invoice_numbers,
    "lines/order_lines": order_lines,
    "lines/counter_lines": counter_lines,
    "lines/postcalc_lines": postcalc_lines,
    "lines/installment_lines": installment_lines,
    "lines/course_lines": course_lines,
    "lines/subscription_lines": subscription_lines,
}
TABLES["lines/stock_mutations"] = stock_mutations


def check_bad_rows() -> None:
    for table, expected in EXPECTED_BAD.items():
        rows = TABLES[table]
        for line_id, (column, value) in expected.items():
            index = next(i for i, r in enumerate(rows) if r["line_id"] == line_id)
            assert rows[index][column] == value, (table, line_id, column)
            assert 0.2 < index / len(rows) < 0.8, f"{table} {line_id} is not mid-file"


def check_credit_orders() -> None:
    by_order: dict[str, list[dict]] = {}
    for row in order_lines:
        by_order.setdefault(row["order_id"], []).append(row)
    only_credit = sorted(k for k, v in by_order.items() if all(r["is_credit"] == "true" for r in v))
    assert only_credit == ["O26-0050", "O26-0064"], only_credit


def main() -> None:
    check_bad_rows()
    check_credit_orders()
    for table, rows in TABLES.items():
        path = OUT / f"{table}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS[table], lineterminator="\n",
                                    extrasaction="raise")
            writer.writeheader()
            writer.writerows(rows)
        print(f"{path.relative_to(OUT.parent.parent)}: {len(rows)} rows")


if __name__ == "__main__":
    main()
