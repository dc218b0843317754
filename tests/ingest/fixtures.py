"""Small, valid exports in each supported shape (written by tests, not checked in)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

OPP_HEADER = ("Id,AccountId,Name,StageName,Amount,Probability,ForecastCategoryName,CloseDate,"
              "CreatedDate,LeadSource,IsClosed,IsWon")
OPP_ROWS = [
    "006A,001A,Acme - Platform,Closed Won,12000,100,Closed,2025-03-02,"
    "2025-01-14T10:22:31.000+0000,Web,true,true",
    "006B,001B,Beta - Expansion,Closed Lost,8000,0,Omitted,2025-04-11,"
    "2025-02-01T09:00:00.000+0000,Partner Referral,true,false",
    "006C,001A,Acme - Add-on,Proposal,\"2,400\",60,Pipeline,2025-06-30,"
    "2025-03-05T12:00:00.000+0000,,false,false",
]
HIST_HEADER = "Id,OpportunityId,StageName,Amount,CloseDate,Probability,ForecastCategory,CreatedDate"
HIST_ROWS = [
    "008A,006A,Prospecting,12000,2025-02-28,10,Pipeline,2025-01-14T10:22:31.000+0000",
    "008B,006A,Closed Won,12000,2025-03-02,100,Closed,2025-03-02T16:00:00.000+0000",
    "008C,006B,Qualification,8000,2025-03-30,20,Pipeline,2025-02-01T09:00:00.000+0000",
    "008D,006B,Closed Lost,8000,2025-04-11,0,Omitted,2025-04-11T09:00:00.000+0000",
]
ACC_HEADER = "Id,Name,Industry,NumberOfEmployees,BillingCountry,AnnualRevenue,CreatedDate"
ACC_ROWS = [
    "001A,Acme,Fintech,240,Germany,42000000,2024-01-02T00:00:00.000+0000",
    "001B,Beta,Health,1200,France,9000000,2024-02-03T00:00:00.000+0000",
]


def write_salesforce(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Opportunity.csv").write_text("\n".join([OPP_HEADER, *OPP_ROWS]) + "\n")
    (folder / "OpportunityHistory.csv").write_text("\n".join([HIST_HEADER, *HIST_ROWS]) + "\n")
    (folder / "Account.csv").write_text("\n".join([ACC_HEADER, *ACC_ROWS]) + "\n")
    return folder


def write_hubspot(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        "Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Original Source,Deal owner",
        "101,Acme,closedwon,5000,2025-03-01 10:00,2025-01-05 09:00,ORGANIC_SEARCH,Ana",
        "102,Beta,Closed lost,3000,2025-03-09 10:00,2025-01-20 09:00,Referrals,Ben",
        "103,Gamma,appointmentscheduled,7000,2025-06-01 10:00,2025-02-11 09:00,,Ana",
    ]
    path = folder / "hubspot-deals.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def gh_prs() -> list[dict[str, object]]:
    return [
        {"number": 1, "title": "Add SSO", "author": {"login": "dev1"}, "state": "MERGED",
         "createdAt": "2025-02-01T09:00:00Z", "mergedAt": "2025-02-02T09:00:00Z",
         "closedAt": "2025-02-02T09:00:00Z", "additions": 120, "deletions": 30,
         "url": "https://github.com/acme/app/pull/1",
         "reviews": [{"author": {"login": "dev2"}, "submittedAt": "2025-02-01T15:00:00Z",
                      "state": "APPROVED"},
                     {"author": {"login": "dev3"}, "submittedAt": "2025-02-01T12:00:00Z",
                      "state": "COMMENTED"}]},
        {"number": 2, "title": "Fix bug", "author": {"login": "dev2"}, "state": "OPEN",
         "createdAt": "2025-02-03T09:00:00Z", "mergedAt": None, "closedAt": None,
         "additions": 3, "deletions": 1, "url": "https://github.com/acme/app/pull/2",
         "reviews": []},
    ]


def write_gh(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "prs.json"
    path.write_text(json.dumps(gh_prs()))
    return path


def write_rest(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pulls.json"
    path.write_text(json.dumps([
        {"number": 7, "title": "REST PR", "user": {"login": "dev9"}, "state": "closed",
         "created_at": "2025-03-01T10:00:00Z", "merged_at": "2025-03-03T10:00:00Z",
         "closed_at": "2025-03-03T10:00:00Z", "html_url": "https://github.com/acme/api/pull/7"}
    ]))
    return path


def query(ws: Path, sql: str) -> list[tuple]:
    """Rows of ``sql`` run read-only against the workspace's store."""
    con = duckdb.connect(str(ws / "evidence.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()
