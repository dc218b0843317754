"""TF-IDF similarity on three tiny texts (worked out by hand), claims and orphaned
artifacts, and messaging that names capabilities which are not GA."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.diagnose.stores import (
    context,
    only,
    run,
    value,
    wilson_lower_95_one_sided,
)
from throughline.diagnose.families import messaging


def test_tfidf_cosine_on_three_tiny_texts() -> None:
    docs = {"website": "Fast reports.", "deck": "Fast, secure reports!",
            "email_sequence": "Secure exports"}
    c = messaging.coherence(docs)
    assert c.kinds == ["deck", "email_sequence", "website"]
    # terms: website {fast, report, fast report}; deck {fast, secure, report, fast secure,
    # secure report}; email {secure, export, secure export}. N = 3 documents.
    i2 = 1 + math.log(4 / 3)  # idf of a term in two documents
    i1 = 1 + math.log(4 / 2)  # idf of a term in one document
    web2 = 2 * i2**2 + i1**2
    deck2 = 3 * i2**2 + 2 * i1**2
    email2 = i2**2 + 2 * i1**2
    web_deck = 2 * i2**2 / math.sqrt(web2 * deck2)  # fast, report
    deck_email = i2**2 / math.sqrt(deck2 * email2)  # secure
    expected = np.array([[1, deck_email, web_deck], [deck_email, 1, 0], [web_deck, 0, 1]])
    assert c.similarity == pytest.approx(expected)
    assert web_deck == pytest.approx(0.4076, abs=1e-4)
    assert deck_email == pytest.approx(0.1864, abs=1e-4)
    assert c.mean_similarity == pytest.approx((web_deck + deck_email) / 3)


def test_tfidf_matches_the_sklearn_weighting_definition() -> None:
    m = messaging.tfidf_matrix([["a", "a", "b"], ["b", "c"]])
    # vocab a, b, c; tf: 1+ln2, 1, 0 | 0, 1, 1; idf: 1+ln(3/2), 1, 1+ln(3/2)
    ia = 1 + math.log(1.5)
    row0 = np.array([(1 + math.log(2)) * ia, 1.0, 0.0])
    row1 = np.array([0.0, 1.0, ia])
    assert m[0] == pytest.approx(row0 / np.linalg.norm(row0))
    assert m[1] == pytest.approx(row1 / np.linalg.norm(row1))


def test_key_phrases_are_normalised() -> None:
    assert messaging.key_phrases("Close the books in 2 days, SOC 2 certified.") == [
        "2 day", "soc 2 certified"]
    assert messaging.fold("companies") == "company" and messaging.fold("access") == "access"


def test_shared_claims_and_orphans() -> None:
    docs = {
        "website": "Close the books in two days. SOC 2 certified.",
        "deck": "We close the books in two days and we are SOC 2 certified.",
        "email_sequence": "Hi there, want to close the books in two days? Free onboarding "
                          "support.",
    }
    c = messaging.coherence(docs)
    assert c.claims == {"free onboarding support": ["email_sequence"],
                        "soc 2 certified": ["deck", "website"],
                        "two day": ["deck", "email_sequence", "website"]}
    assert c.shared_pairs[("deck", "website")] == 2
    assert c.shared_pairs[("deck", "email_sequence")] == 1
    # the email states two claims but shares only one with each other artifact
    assert c.orphans == ["email_sequence"]
    assert c.orphan_share == pytest.approx(1 / 3)
    assert c.signal == pytest.approx(wilson_lower_95_one_sided(1, 3))


def test_an_artifact_with_a_single_claim_is_tied_by_sharing_it() -> None:
    docs = {"website": "Close the books in two days. SOC 2 certified.",
            "email_sequence": "Want to close the books in two days?"}
    c = messaging.coherence(docs)
    assert c.orphans == [] and c.signal == 0.0


def test_coherence_finding_from_the_store() -> None:
    arts = [
        dict(artifact_id="web", kind="website", text="# Close the books in two days\n"
             "SOC 2 certified."),
        dict(artifact_id="deck", kind="deck", text="Close the books in two days. SOC 2 "
             "certified."),
        dict(artifact_id="mail1", kind="email_sequence", text="Reconcile every bank feed."),
        dict(artifact_id="mail2", kind="email_sequence", text="Book a call?"),
    ]
    findings = run("messaging.coherence", context({"messaging_artifacts": arts}))
    f = only(findings, "pairwise")
    assert value(f, "artifact_kinds") == 3  # the two emails are one sequence
    assert value(f, "orphaned_kinds") == 1
    assert value(f, "orphaned_share") == pytest.approx(1 / 3)  # the emails: "bank feed"
    assert f.signals["messaging_incoherence"] == pytest.approx(
        wilson_lower_95_one_sided(1, 3), abs=1e-4)
    assert value(f, "shared_claims") == 2
    assert f.statement.startswith("1 of 3 artifact kinds share fewer than 2 claims")
    assert f.evidence[0].row_count == 4
    assert {r["pair"] for r in f.series or []} == {
        "deck vs email_sequence", "deck vs website", "email_sequence vs website"}
    claims = only(findings, "claims")
    assert value(claims, "single_artifact_claims_email_sequence") == 1  # "bank feed"
    assert claims.series and claims.series[0]["kinds"] == 2


def test_unbacked_capability_claims() -> None:
    arts = [
        dict(artifact_id="web", kind="website", text="Scenario planning in one click. "
             "Single sign-on included."),
        dict(artifact_id="prop", kind="proposal", text="Includes single sign-on (SAML)."),
    ]
    caps = [dict(capability_id="cap_sso", name="Single sign-on", status="ga"),
            dict(capability_id="cap_plan", name="Scenario planning", status="roadmap"),
            dict(capability_id="cap_fx", name="FX revaluation", status="beta")]
    f = only(run("messaging.unbacked_claims",
                 context({"messaging_artifacts": arts, "capabilities": caps})), "capabilities")
    assert value(f, "capability_mentions") == 3  # website: sso, planning; proposal: sso
    assert value(f, "unbacked_mentions") == 1
    assert f.signals["messaging_unbacked_claims"] == pytest.approx(
        wilson_lower_95_one_sided(1, 3), abs=1e-4)
    assert "'Scenario planning'" in f.statement
