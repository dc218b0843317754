"""Real export shapes: localized and unusual lead-source labels, a missing LeadSource
column, several currencies, CurrencyType rates, HubSpot deal currency, European numbers.

Each fixture is written as the real export writes it (Salesforce Data Loader: API field
names, every field quoted; HubSpot: UI labels) and ingested through the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import sha256
from tests.ingest.fixtures import query

SF_HEADER = ["Id", "IsDeleted", "AccountId", "Name", "StageName", "Amount", "Probability",
             "CloseDate", "Type", "LeadSource", "IsClosed", "IsWon", "ForecastCategory",
             "ForecastCategoryName", "CurrencyIsoCode", "OwnerId", "CreatedDate"]


def _sf_row(oid: str, source: str, currency: str, amount: str, won: bool | None) -> dict:
    closed = won is not None
    stage = {True: "Cerrada ganada", False: "Cerrada perdida", None: "Propuesta"}[won]
    return {"Id": oid, "IsDeleted": "false", "AccountId": "0015e00000AbCdE", "Name": f"{oid}",
            "StageName": stage, "Amount": amount, "Probability": "100" if won else "40",
            "CloseDate": "2024-05-31", "Type": "New Business", "LeadSource": source,
            "IsClosed": str(closed).lower(), "IsWon": str(bool(won)).lower(),
            "ForecastCategory": "Closed" if closed else "Pipeline",
            "ForecastCategoryName": "Closed" if closed else "Pipeline",
            "CurrencyIsoCode": currency, "OwnerId": "0055e000003XyZ1",
            "CreatedDate": "2024-02-01T14:03:22.000+0000"}


def _data_loader_csv(path: Path, header: list[str], rows: list[dict]) -> Path:
    """Data Loader quotes every field and ends lines with CRLF."""
    lines = [",".join(f'"{h}"' for h in header)]
    lines += [",".join('"' + str(r.get(h, "")).replace('"', '""') + '"' for h in header)
              for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


SPANISH = [  # (LeadSource as the Spanish org writes it, currency, amount, won)
    ("0065e00001A1", "Gestión directa", "COP", "125000000", True),
    ("0065e00001A2", "Socios", "MXN", "480000", True),
    ("0065e00001A3", "Referencia", "PEN", "95000", False),
    ("0065e00001A4", "Sitio web", "USD", "24000", None),
    ("0065e00001A5", "Llamada en frío", "COP", "60000000", False),
    ("0065e00001A6", "Feria", "MXN", "210000", None),
    ("0065e00001A7", "Seminario web", "USD", "18000", True),
    ("0065e00001A8", "Publicidad", "PEN", "40000", None),
    ("0065e00001A9", "Otro", "USD", "5000", False),
    ("0065e00001B1", "", "usd", "7000", None),
    ("0065e00001B2", "Indicação", "USD", "9000", None),
    ("0065e00001B3", "Empfehlung", "USD", "9000", None),
    ("0065e00001B4", "Recommandation", "USD", "9000", None),
    ("0065e00001B5", "Passaparola", "USD", "9000", None),
    ("0065e00001B6", "Parceiros", "USD", "9000", None),
    ("0065e00001B7", "Partenaires", "USD", "9000", None),
    ("0065e00001B8", "Messe", "USD", "9000", None),
    ("0065e00001B9", "Kaltakquise", "USD", "9000", None),
    ("0065e00001C1", "Sito web", "USD", "9000", None),
    ("0065e00001C2", "Webseite", "USD", "9000", None),
    ("0065e00001C3", "Anúncio", "USD", "9000", None),
    ("0065e00001C4", "Werbung", "USD", "9000", None),
    ("0065e00001C5", "Fiera", "USD", "9000", None),
    ("0065e00001C6", "Salon", "USD", "9000", None),
    ("0065e00001C7", "Desconocido", "USD", "9000", None),
    ("0065e00001C8", "Sonstige", "USD", "9000", None),
    ("0065e00001C9", "N/A", "USD", "9000", None),
]
EXPECTED = {  # LeadSource -> (channel, motion)
    "Gestión directa": ("outbound", "outbound"), "Socios": ("partner", "partner"),
    "Referencia": ("referral", "referral"), "Sitio web": ("website", "inbound"),
    "Llamada en frío": ("outbound", "outbound"), "Feria": ("events", "outbound"),
    "Seminario web": ("events", "inbound"), "Publicidad": ("paid", "inbound"),
    "Otro": ("unknown", "unknown"), None: ("unknown", "unknown"),
    "Indicação": ("referral", "referral"), "Empfehlung": ("referral", "referral"),
    "Recommandation": ("referral", "referral"), "Passaparola": ("referral", "referral"),
    "Parceiros": ("partner", "partner"), "Partenaires": ("partner", "partner"),
    "Messe": ("events", "outbound"), "Kaltakquise": ("outbound", "outbound"),
    "Sito web": ("website", "inbound"), "Webseite": ("website", "inbound"),
    "Anúncio": ("paid", "inbound"), "Werbung": ("paid", "inbound"),
    "Fiera": ("events", "outbound"), "Salon": ("events", "outbound"),
    "Desconocido": ("unknown", "unknown"), "Sonstige": ("unknown", "unknown"),
    "N/A": ("unknown", "unknown"),
}


def test_spanish_org_labels_and_four_currencies(cli, tmp_path: Path) -> None:
    rows = [_sf_row(oid, src, cur, amt, won) for oid, src, cur, amt, won in SPANISH]
    folder = tmp_path / "export"
    _data_loader_csv(folder / "Opportunity.csv", SF_HEADER, rows)
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", folder)
    assert r.code == 0, r.err
    stored = query(ws, "SELECT lead_source, channel, motion FROM opportunities")
    assert len(stored) == len(SPANISH)
    for lead_source, channel, motion in stored:
        assert (channel, motion) == EXPECTED[lead_source], lead_source
    # the raw label is kept; no known label is counted as unknown or 'other'
    assert query(ws, "SELECT count(*) FROM opportunities WHERE channel = 'other'") == [(0,)]
    assert query(ws, "SELECT count(*) FROM opportunities WHERE channel = 'unknown'") == [(5,)]
    assert query(ws, "SELECT currency, count(*), sum(amount) FROM opportunities "
                     "GROUP BY 1 ORDER BY 1") == [
        ("COP", 2, 185000000.0), ("MXN", 2, 690000.0), ("PEN", 2, 135000.0),
        ("USD", 21, 24000.0 + 18000 + 5000 + 7000 + 17 * 9000)]


UNUSUAL = [("0065e00002A1", "G2 Review"), ("0065e00002A2", "Website Chat"),
           ("0065e00002A3", "Podcast"), ("0065e00002A4", "Community"),
           ("0065e00002A5", "  Podcast "), ("0065e00002A6", "Web"),
           ("0065e00002A7", "Partner Referral")]


def test_unusual_english_labels_are_their_own_channel(cli, tmp_path: Path) -> None:
    rows = [_sf_row(oid, src, "USD", "1000", None) for oid, src in UNUSUAL]
    path = _data_loader_csv(tmp_path / "Opportunity.csv", SF_HEADER, rows)
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "--json", "ingest", path)
    assert r.code == 0, r.err
    assert query(ws, "SELECT lead_source, channel, motion FROM opportunities ORDER BY 1") == [
        ("Community", "community", "unknown"), ("G2 Review", "g2 review", "unknown"),
        ("Partner Referral", "partner", "partner"), ("Podcast", "podcast", "unknown"),
        ("Podcast", "podcast", "unknown"), ("Web", "website", "inbound"),
        ("Website Chat", "website chat", "unknown")]
    notes = json.loads(r.out)["files"][0]["notes"]
    assert ("channel: 4 unmapped label(s) kept as their own value: 'podcast' (2), "
            "'community' (1), 'g2 review' (1), 'website chat' (1)") in notes


def test_opportunity_export_without_leadsource_column_is_not_recorded(
        cli, tmp_path: Path) -> None:
    header = [h for h in SF_HEADER if h not in ("LeadSource", "CurrencyIsoCode")]
    rows = [_sf_row(oid, src, "", "1000", won) for oid, src, _, _, won in SPANISH[:4]]
    path = _data_loader_csv(tmp_path / "Opportunity.csv", header, rows)
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", path)
    assert r.code == 0, r.err
    # NULL = not recorded in this export (never 'unknown', which is a measured gap)
    assert query(ws, "SELECT count(*), count(lead_source), count(channel), count(motion), "
                     "count(currency) FROM opportunities") == [(4, 0, 0, 0, 0)]


def test_salesforce_currency_type_export_loads_rates(cli, tmp_path: Path) -> None:
    header = ["Id", "IsoCode", "ConversionRate", "DecimalPlaces", "IsActive", "IsCorporate"]
    rows = [{"Id": "01L5e000000AAA1", "IsoCode": "USD", "ConversionRate": "1.000000",
             "DecimalPlaces": "2", "IsActive": "true", "IsCorporate": "true"},
            {"Id": "01L5e000000AAA2", "IsoCode": "COP", "ConversionRate": "3912.450000",
             "DecimalPlaces": "2", "IsActive": "true", "IsCorporate": "false"},
            {"Id": "01L5e000000AAA3", "IsoCode": "MXN", "ConversionRate": "17.120000",
             "DecimalPlaces": "2", "IsActive": "true", "IsCorporate": "false"},
            {"Id": "01L5e000000AAA4", "IsoCode": "PEN", "ConversionRate": "3.745000",
             "DecimalPlaces": "2", "IsActive": "false", "IsCorporate": "false"}]
    path = _data_loader_csv(tmp_path / "CurrencyType.csv", header, rows)
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", path)
    assert r.code == 0, r.err
    assert "salesforce" in r.out
    assert query(ws, "SELECT currency, rate, is_reporting FROM fx_rates ORDER BY 1") == [
        ("COP", 3912.45, False), ("MXN", 17.12, False), ("PEN", 3.745, False),
        ("USD", 1.0, True)]


def test_canonical_fx_rates_and_lower_case_billing_currency(cli, tmp_path: Path) -> None:
    folder = tmp_path / "canon"
    folder.mkdir()
    (folder / "fx_rates.csv").write_text("currency,rate,is_reporting\nusd,1,true\n"
                                         "EUR,0.92,false\n")
    # a billing export (Stripe writes currency codes in lower case)
    (folder / "subscriptions.csv").write_text(
        "subscription_id,account_id,plan,mrr,currency,start_date\n"
        "sub_1,a1,growth,200,eur,2025-01-01\nsub_2,a2,growth,250,usd,2025-01-01\n"
        "sub_3,a3,growth,300,,2025-01-01\n")
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", folder)
    assert r.code == 0, r.err
    assert query(ws, "SELECT currency, rate, is_reporting FROM fx_rates ORDER BY 1") == [
        ("EUR", 0.92, False), ("USD", 1.0, True)]
    assert query(ws, "SELECT subscription_id, currency FROM subscriptions ORDER BY 1") == [
        ("sub_1", "EUR"), ("sub_2", "USD"), ("sub_3", None)]


def test_hubspot_deals_with_currency_and_original_source(cli, tmp_path: Path) -> None:
    rows = [
        "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Original Source,"
        "Deal owner,Currency",
        "9001,Acme,Closed won,5000,2025-03-01 10:00,2025-01-05 09:00,Organic Search,Ana,EUR",
        "9002,Beta,Closed lost,3000,2025-03-09 10:00,2025-01-20 09:00,Offline Sources,Ben,USD",
        "9003,Gamma,appointmentscheduled,7000,2025-06-01 10:00,2025-02-11 09:00,"
        "Direct Traffic,Ana,GBP",
        "9004,Delta,appointmentscheduled,700,2025-06-01 10:00,2025-02-11 09:00,"
        "PAID_SOCIAL,Ana,",
        "9005,Eps,appointmentscheduled,700,2025-06-01 10:00,2025-02-11 09:00,"
        "Event Booth Scan,Ana,USD",
    ]
    path = tmp_path / "hubspot-crm-exports-all-deals-2025-06-30.csv"
    path.write_text("\n".join(rows) + "\n")
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", path)
    assert r.code == 0, r.err
    assert query(ws, "SELECT opportunity_id, channel, motion, currency FROM opportunities "
                     "ORDER BY 1") == [
        ("9001", "website", "inbound", "EUR"), ("9002", "outbound", "outbound", "USD"),
        ("9003", "website", "inbound", "GBP"), ("9004", "paid", "inbound", None),
        ("9005", "event booth scan", "unknown", "USD")]


EU_HEADER = "opportunity_id,stage,is_closed,is_won,amount"


def test_european_amounts_read_by_the_column(cli, tmp_path: Path) -> None:
    folder = tmp_path / "canon"
    folder.mkdir()
    (folder / "opportunities.csv").write_text(
        EU_HEADER + "\no1,Won,true,true,\"1.200,50 €\"\no2,Won,true,true,€1.200\n"
        "o3,Won,true,true,\"2.345.000,00 €\"\no4,Won,true,true,950\n", encoding="utf-8")
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", folder)
    assert r.code == 0, r.err
    # the column writes 1.234,56: €1.200 is twelve hundred, never 1.2; € names EUR
    assert query(ws, "SELECT opportunity_id, amount, currency FROM opportunities "
                     "ORDER BY 1") == [("o1", 1200.5, "EUR"), ("o2", 1200.0, "EUR"),
                                       ("o3", 2345000.0, "EUR"), ("o4", 950.0, None)]


def test_only_ambiguous_amounts_are_refused(cli, tmp_path: Path) -> None:
    folder = tmp_path / "canon"
    folder.mkdir()
    (folder / "opportunities.csv").write_text(
        EU_HEADER + "\no1,Won,true,true,950\no2,Won,true,true,€1.200\n", encoding="utf-8")
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "--json", "ingest", folder)
    assert r.code == 2
    err = json.loads(r.out)
    assert err["file"].endswith("opportunities.csv")
    assert (err["row"], err["column"], err["value"]) == (2, "amount", "€1.200")
    assert 'number_format: "1.234,56"' in err["expected"] and "amount" in err["expected"]
    assert sha256(ws / "evidence.duckdb") == "absent"


def test_number_format_in_a_mapping_settles_it(cli, tmp_path: Path) -> None:
    (tmp_path / "deals.csv").write_text("id,value\nd1,€1.200\nd2,\"(1.200,00)\"\n",
                                        encoding="utf-8")
    (tmp_path / "m.yaml").write_text(
        "name: eu\nsources:\n  - name: deals\n    table: forecasts\n    files: [deals.csv]\n"
        "    columns:\n      period_start: {constant: '2025-01-01'}\n"
        "      submitted_at: {constant: '2025-01-01'}\n      owner: id\n"
        "      amount: {from: value, number_format: \"1.234,56\"}\n", encoding="utf-8")
    ws = tmp_path / "ws"
    r = cli("--workspace", ws, "ingest", tmp_path / "deals.csv", "--profile", tmp_path / "m.yaml")
    # accounting parentheses are a negative amount: refused as negative, not misread
    assert r.code == 2 and "row 2" in r.err and "negative" in r.err
    (tmp_path / "deals.csv").write_text("id,value\nd1,€1.200\nd2,\"1.200,00\"\n",
                                        encoding="utf-8")
    r = cli("--workspace", ws, "ingest", tmp_path / "deals.csv", "--profile", tmp_path / "m.yaml")
    assert r.code == 0, r.err
    assert query(ws, "SELECT owner, amount, currency FROM forecasts ORDER BY 1") == [
        ("d1", 1200.0, "EUR"), ("d2", 1200.0, None)]


def test_a_column_mixing_number_formats_is_refused(cli, tmp_path: Path) -> None:
    folder = tmp_path / "canon"
    folder.mkdir()
    (folder / "opportunities.csv").write_text(
        EU_HEADER + "\no1,Won,true,true,\"$1,200.50\"\no2,Won,true,true,\"1.200,50 €\"\n",
        encoding="utf-8")
    r = cli("--workspace", tmp_path / "ws", "ingest", folder)
    assert r.code == 2
    err = " ".join(r.err.split())
    assert "mixes number formats: row 1 has '$1,200.50' (1,234.56) and row 2 has " \
           "'1.200,50 €' (1.234,56)" in err


def test_olist_example_mapping(cli, tmp_path: Path) -> None:
    """The mapping that took six tries in the issue: a lookup, then {"": ...} + default."""
    mqls = tmp_path / "olist_marketing_qualified_leads_dataset.csv"
    mqls.write_text(
        "mql_id,first_contact_date,landing_page_id,origin\n"
        "dac32acd4db4c29c230538b72f8dd87d,2018-02-01,88740e65d5d6b056e0cda098e1ea6313,social\n"
        "8c18d1de7f67e60dbd64e3c07d7e9d5d,2017-10-20,007f9098284a86ee80ddeb25d53e0af8,"
        "paid_search\n"
        "b4bc852d233dfefc5131f593b538befa,2018-03-04,a7982125ff7aa3b2054c6e44f9d28522,"
        "organic_search\n"
        "6be030b81c75970747525b843c1ef4f8,2018-05-19,2546afc2ff1f84d5be9a4cf0a2ad8a8e,\n"
        "d5b9a5e3d3b4e1b0c35e9c2a7f9c4b11,2018-05-21,2546afc2ff1f84d5be9a4cf0a2ad8a8e,"
        "instagram_ads\n")
    deals = tmp_path / "olist_closed_deals_dataset.csv"
    deals.write_text(
        "mql_id,seller_id,sdr_id,sr_id,won_date,business_segment,lead_type,"
        "lead_behaviour_profile,has_company,has_gtin,average_stock,business_type,"
        "declared_product_catalog_size,declared_monthly_revenue\n"
        "dac32acd4db4c29c230538b72f8dd87d,2c43fb513632d29b3b58df74816f1b06,"
        "a8387c01a09e99ce014107505b92388c,4ef15afb4b2723d8f3d81e51ec7afefe,"
        "2018-02-26 19:58:54,pet,online_medium,cat,,,,reseller,,0\n")
    ws = tmp_path / "ws"
    mapping = Path(__file__).resolve().parents[2] / "examples/mappings/olist-marketing-funnel.yaml"
    r = cli("--workspace", ws, "ingest", mqls, deals, "--profile", mapping)
    assert r.code == 0, r.err
    assert query(ws, "SELECT left(opportunity_id, 4), stage, is_won, is_closed, "
                     "CAST(close_date AS VARCHAR), segment, channel, motion "
                     "FROM opportunities ORDER BY created_date") == [
        ("8c18", "Open", False, False, None, None, "paid", "inbound"),
        ("dac3", "Won", True, True, "2018-02-26", "pet", "content", "inbound"),
        ("b4bc", "Open", False, False, None, None, "website", "inbound"),
        ("6be0", "Open", False, False, None, None, "unknown", "unknown"),
        ("d5b9", "Open", False, False, None, None, "instagram_ads", "unknown")]
