"""Word banks for the sample company: lead sources, segments, industries, product domains.

Everything here is plain data written for this generator (the product domains in
``domains.yaml``). Order matters (the generator indexes into these tuples), so append
rather than reorder.
"""

from __future__ import annotations

from dataclasses import dataclass

from throughline.core.datafiles import packaged_yaml

# --- CRM vocabulary -----------------------------------------------------------------------


@dataclass(frozen=True)
class LeadSource:
    label: str  # raw Salesforce LeadSource value ("" is a blank cell)
    group: str  # channel group the generator reasons about
    motion: str  # motion the importer derives from the label
    share: float  # baseline share of new pipeline for a healthy company


LEAD_SOURCES: tuple[LeadSource, ...] = (
    LeadSource("Outbound Prospecting", "outbound", "outbound", 0.13),
    LeadSource("SDR Sequence", "outbound", "outbound", 0.12),
    LeadSource("Purchased List", "outbound", "outbound", 0.03),
    LeadSource("Trade Show", "events", "outbound", 0.05),
    LeadSource("Web", "website", "inbound", 0.07),
    LeadSource("Inbound - Demo Request", "website", "inbound", 0.09),
    LeadSource("Content Download", "content", "inbound", 0.05),
    LeadSource("Webinar", "events", "inbound", 0.04),
    LeadSource("Paid Search", "paid", "inbound", 0.06),
    LeadSource("Partner Referral", "partner", "partner", 0.09),
    LeadSource("Customer Referral", "referral", "referral", 0.075),
    LeadSource("Employee Referral", "referral", "referral", 0.02),
    LeadSource("Warm Intro", "warm_intro", "referral", 0.03),
    LeadSource("Founder Network", "founder_network", "referral", 0.015),
    LeadSource("Product Signup", "product", "product_led", 0.07),
    LeadSource("Free Trial", "product", "product_led", 0.06),
    LeadSource("Other", "unknown", "unknown", 0.01),
    LeadSource("", "unknown", "unknown", 0.015),
)
SOURCE_LABELS = tuple(s.label for s in LEAD_SOURCES)
PULL_MOTIONS = ("inbound", "referral", "partner", "product_led")
OTHER_SOURCE = SOURCE_LABELS.index("Other")
BLANK_SOURCE = SOURCE_LABELS.index("")

# Surge candidates for the distribution scenario: channels a company can pour money into
# (channel groups as the Salesforce profile names them).
SURGE_CHANNELS = ("paid", "events", "content", "partner")

# How good a lead of each motion is at the first qualification step (relative).
MOTION_QUALITY = {"outbound": 0.72, "inbound": 1.0, "referral": 1.45, "partner": 1.25,
                  "product_led": 0.95, "unknown": 0.9}

SEGMENTS = ("smb", "mid_market", "enterprise")
# Segment tilt by motion: partners bring bigger companies, product sign-ups smaller ones.
MOTION_SEGMENT_TILT = {
    "outbound": (0.9, 1.1, 1.1), "inbound": (1.1, 1.0, 0.8), "referral": (1.0, 1.0, 1.0),
    "partner": (0.6, 1.1, 1.6), "product_led": (1.7, 0.8, 0.4), "unknown": (1.0, 1.0, 1.0),
}
SEGMENT_ACV = (9_000.0, 32_000.0, 115_000.0)  # median annual contract value
SEGMENT_EMPLOYEES = ((12, 180), (200, 950), (1_000, 25_000))  # log-uniform range
SEGMENT_STAGE_DAYS = (7.0, 13.0, 24.0)  # mean days per stage
SIZE_BANDS = ((50, "1-50"), (200, "51-200"), (1000, "201-1000"), (5000, "1001-5000"),
              (10**12, "5000+"))

STAGES = ("Prospecting", "Qualification", "Discovery", "Proposal", "Negotiation",
          "Closed Won", "Closed Lost")
WON, LOST = 5, 6
STAGE_PROBABILITY = (10, 20, 40, 60, 80, 100, 0)
FORECAST_CATEGORY = ("Pipeline", "Pipeline", "Pipeline", "Best Case", "Commit", "Closed",
                     "Omitted")
STAGE_WEIGHT = (0.6, 0.9, 1.2, 1.2, 0.9)  # relative time spent in each open stage

PERSONAS = ("vp_sales", "revops", "cto", "head_of_cs", "founder", "ops_manager", "cfo",
            "it_director")
SEGMENT_PERSONA = (
    (0.15, 0.05, 0.05, 0.05, 0.40, 0.25, 0.05, 0.00),
    (0.22, 0.20, 0.08, 0.15, 0.03, 0.20, 0.07, 0.05),
    (0.15, 0.20, 0.20, 0.15, 0.00, 0.08, 0.10, 0.12),
)

INDUSTRIES = ("Financial Services", "Healthcare", "Transportation", "Retail",
              "Manufacturing", "Technology", "Education", "Consulting")
INDUSTRY_WORD = ("Capital", "Health", "Logistics", "Goods", "Industries", "Software",
                 "Learning", "Advisory")
COUNTRIES = ("United States", "United Kingdom", "Germany", "Canada", "France",
             "Netherlands", "Australia", "Sweden", "Ireland", "Spain")
COUNTRY_WEIGHT = (0.46, 0.14, 0.09, 0.07, 0.05, 0.05, 0.05, 0.03, 0.03, 0.03)

LOSS_REASONS = ("Price", "No decision", "Lost to competitor", "Missing feature", "Timing",
                "No budget", "Went dark", "Chose in-house build")
LOSS_WEIGHT = (0.18, 0.2, 0.17, 0.12, 0.1, 0.1, 0.09, 0.04)
WIN_REASONS = ("Ease of use", "Time to value", "Integration fit", "Price", "Support quality",
               "Product depth")

NEXT_STEP_POSITIVE = (
    "Champion confirmed budget, sending order form",
    "Verbal yes from the VP, legal review next",
    "Great demo, expect signature this month",
    "Procurement started, everything green",
    "Exec sponsor on board, paperwork this week",
    "Pricing accepted, waiting on countersignature",
    "Strong fit, closing before quarter end",
)
NEXT_STEP_NEUTRAL = (
    "Follow-up call booked",
    "Waiting on security questionnaire",
    "Re-engage after their budget cycle",
    "Asked for intro to the economic buyer",
    "Sent two pricing options",
    "Technical deep-dive with their IT team",
    "Reference call requested",
    "Trial running, check usage next week",
)

ACCOUNT_PREFIX = ("North", "Blue", "Bright", "Iron", "Silver", "Red", "Oak", "Harbor",
                  "Summit", "Clear", "Quick", "True", "Stone", "Pine", "Cedar", "Granite",
                  "Maple", "River", "Lake", "Sun", "West", "East", "High", "Gold", "Green",
                  "Swift", "Bold", "Prime", "Copper", "Falcon", "Birch", "Coral", "Elm",
                  "Frost", "Hazel", "Juniper", "Kestrel", "Linden", "Meadow", "Orchard")
ACCOUNT_SUFFIX = ("field", "works", "point", "line", "bridge", "path", "gate", "stone",
                  "wave", "forge", "light", "ridge", "brook", "crest", "haven", "mark",
                  "vale", "wood", "port", "shore", "peak", "well", "ford", "way")
ACCOUNT_CORP = ("Inc", "LLC", "Ltd", "GmbH", "Group", "Co", "Holdings", "Partners", "BV",
                "AB", "PLC", "Corp")

FIRST_NAMES = ("mara", "devon", "priya", "tomas", "aisha", "lukas", "wen", "sofia", "omar",
               "hana", "jonah", "ines", "kofi", "lena", "rafael", "yuki", "noor", "felix",
               "ada", "mateo", "elif", "sam", "chidi", "greta", "arjun", "maeve", "ivan",
               "zara", "theo", "lina")
LAST_INITIALS = "abcdefghjklmnoprstvwz"

PM_OWNERS = ("PM Platform", "PM Integrations", "PM Core", "PM Mobile", "CS Lead",
             "Head of Product", "PMM Lead")

# --- Product domains ----------------------------------------------------------------------


@dataclass(frozen=True)
class Capability:
    cid: str
    name: str
    description: str


@dataclass(frozen=True)
class Claim:
    key: str  # the short phrase that recurs wherever the claim is made
    sentence: str  # how an artifact states it


@dataclass(frozen=True)
class Domain:
    slug: str
    category: str
    buyer: str
    capabilities: tuple[Capability, ...]
    claims: tuple[Claim, ...]
    milestones: tuple[str, ...]
    repo_names: tuple[str, ...]
    areas: tuple[str, ...]


def _domain(d: dict) -> Domain:
    return Domain(slug=d["slug"], category=d["category"], buyer=d["buyer"],
                  capabilities=tuple(Capability(**c) for c in d["capabilities"]),
                  claims=tuple(Claim(**c) for c in d["claims"]),
                  milestones=tuple(d["milestones"]), repo_names=tuple(d["repo_names"]),
                  areas=tuple(d["areas"]))


# The product domains, declared in ``domains.yaml`` beside this file (order matters).
DOMAINS: tuple[Domain, ...] = tuple(
    _domain(d) for d in packaged_yaml("throughline.sample", "domains.yaml"))

VENDOR_NAMES = ("Tessellate", "Larkspur", "Quillwork", "Brightwater", "Kiteline",
                "Fernhill", "Arclight", "Cobalt Bay", "Tallow", "Wrenfield", "Halyard",
                "Mosaic Row")

FEATURE_SUFFIXES = ("bulk edit", "admin controls", "faster load times", "mobile support",
                    "CSV export", "saved filters", "API endpoints", "role permissions",
                    "templates", "notifications", "audit events", "v2", "dashboards",
                    "import wizard", "scheduling rules")
PLAY_PATTERNS = ("{cap} business case", "{cap} competitive displacement",
                 "{cap} upgrade offer", "{cap} ROI story", "{cap} security review kit")

PR_VERBS = ("Fix", "Add", "Refactor", "Remove", "Update", "Speed up", "Harden", "Document",
            "Migrate", "Test")
PR_OBJECTS = ("pagination", "retry logic", "flaky test", "null handling", "error messages",
              "caching", "feature flag", "index", "permissions check", "timezone bug",
              "logging", "dependency bump", "rate limit", "validation", "migration")

NPS_COMMENTS = {
    "promoter": ("Saves our team hours every week", "Support is quick and helpful",
                 "Rolled out to the whole team without fuss", "Reliable and easy to use"),
    "passive": ("Does the job, a few gaps", "Good product, reporting could be better",
                "Works, but setup took a while"),
    "detractor": ("Too expensive for what we use", "Missing features we were promised",
                  "Hard to get the team to adopt it", "Slow when we have many users"),
}
