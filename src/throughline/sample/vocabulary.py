"""Word banks for the sample company: lead sources, segments, industries, product domains.

Everything here is plain data written for this generator. Order matters (the generator
indexes into these tuples), so append rather than reorder.
"""

from __future__ import annotations

from dataclasses import dataclass

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


DISPATCH = Domain(
    slug="dispatch",
    category="field service scheduling",
    buyer="operations leaders who run field teams",
    capabilities=(
        Capability("cap_route_opt", "Route optimisation", "Plans technician routes to cut "
                   "drive time between jobs."),
        Capability("cap_mobile_app", "Technician mobile app", "Offline job sheets, photos "
                   "and signatures on the technician's phone."),
        Capability("cap_booking_portal", "Customer booking portal", "Customers pick a slot "
                   "and see the arrival window."),
        Capability("cap_sla_tracking", "SLA tracking", "Flags jobs at risk of missing a "
                   "contractual response time."),
        Capability("cap_van_stock", "Van stock and parts", "Tracks parts per van and "
                   "suggests restocks."),
        Capability("cap_onsite_invoice", "On-site invoicing", "Raise and collect an "
                   "invoice when the job closes."),
        Capability("cap_sso", "Single sign-on", "SAML and OIDC sign-on for admins and "
                   "staff."),
        Capability("cap_audit_log", "Audit log", "Who changed which job, when."),
        Capability("cap_erp_sync", "ERP sync", "Two-way sync of jobs, parts and invoices "
                   "with the ERP."),
        Capability("cap_crm_sync", "CRM sync", "Customer and asset records kept in step "
                   "with the CRM."),
        Capability("cap_demand_forecast", "Demand forecasting", "Predicts job volume per "
                   "region and week."),
        Capability("cap_auto_dispatch", "AI auto-dispatch", "Assigns and re-plans jobs "
                   "without a dispatcher."),
        Capability("cap_iot_alerts", "Equipment IoT alerts", "Opens a job when a connected "
                   "asset reports a fault."),
        Capability("cap_custom_forms", "Custom job forms", "Checklists and forms per job "
                   "type."),
        Capability("cap_ops_reporting", "Operations reporting", "Utilisation, first-time "
                   "fix and travel reports."),
        Capability("cap_multi_region", "Multi-region workspaces", "Separate teams, rules "
                   "and calendars per region."),
        Capability("cap_public_api", "Public API", "REST API and webhooks for jobs and "
                   "assets."),
        Capability("cap_eu_residency", "EU data residency", "Customer data stored and "
                   "processed in the EU."),
    ),
    claims=(
        Claim("fewer miles per job", "Technicians drive fewer miles per job, so each one "
              "finishes more visits in a day."),
        Claim("first-time fix", "The right person arrives with the right parts, which "
              "lifts the first-time fix rate."),
        Claim("one live schedule", "Whiteboards and spreadsheets give way to one live "
              "schedule the whole field team trusts."),
        Claim("a precise arrival window", "Customers get a precise arrival window and "
              "stop calling to ask where the van is."),
        Claim("paid on the day", "Invoices go out from the job site, so you are paid on "
              "the day the work is done."),
        Claim("dispatch that runs itself", "Dispatch that runs itself: jobs are assigned "
              "and re-planned with no one at the board."),
    ),
    milestones=("first job dispatched", "first full week scheduled",
                "first route plan accepted"),
    repo_names=("platform", "mobile", "dispatch-engine"),
    areas=("scheduler", "routes", "mobile sync", "job forms", "invoices", "auth", "webhooks",
           "reports", "parts", "calendar", "notifications", "api"),
)

PAYABLES = Domain(
    slug="payables",
    category="accounts payable automation",
    buyer="finance teams that process supplier invoices",
    capabilities=(
        Capability("cap_invoice_capture", "Invoice capture", "Reads supplier invoices "
                   "from email and PDF."),
        Capability("cap_approval_flows", "Approval flows", "Routes invoices to the right "
                   "approvers by amount and cost centre."),
        Capability("cap_three_way_match", "Three-way match", "Matches invoice, purchase "
                   "order and goods receipt."),
        Capability("cap_vendor_portal", "Supplier portal", "Suppliers upload invoices and "
                   "check payment status."),
        Capability("cap_payments", "Payment runs", "Schedules and releases supplier "
                   "payments."),
        Capability("cap_erp_sync", "ERP sync", "Posts approved invoices to the general "
                   "ledger."),
        Capability("cap_sso", "Single sign-on", "SAML and OIDC sign-on."),
        Capability("cap_audit_log", "Audit trail", "Every approval and edit, recorded for "
                   "auditors."),
        Capability("cap_fx_payments", "Multi-currency payments", "Pays suppliers in their "
                   "own currency."),
        Capability("cap_fraud_checks", "Fraud checks", "Flags changed bank details and "
                   "duplicate invoices."),
        Capability("cap_spend_reports", "Spend reporting", "Spend by supplier, category "
                   "and entity."),
        Capability("cap_ai_coding", "AI GL coding", "Suggests ledger codes from past "
                   "invoices."),
        Capability("cap_po_management", "Purchase orders", "Raise and approve purchase "
                   "orders."),
        Capability("cap_tax_compliance", "E-invoicing compliance", "Meets national "
                   "e-invoicing mandates."),
        Capability("cap_public_api", "Public API", "REST API and webhooks."),
        Capability("cap_multi_entity", "Multi-entity", "Several legal entities in one "
                   "workspace."),
        Capability("cap_virtual_cards", "Virtual cards", "Pay suppliers with single-use "
                   "cards."),
        Capability("cap_eu_residency", "EU data residency", "Data stored and processed in "
                   "the EU."),
    ),
    claims=(
        Claim("close the books faster", "Month-end stops being a scramble: teams close the "
              "books faster because invoices are coded and approved as they arrive."),
        Claim("no more manual keying", "No more manual keying: invoices are read, matched "
              "and posted without retyping."),
        Claim("catch fraud before it pays", "Changed bank details and duplicates are "
              "caught before money leaves the account."),
        Claim("suppliers paid on time", "Suppliers are paid on time and stop chasing your "
              "team by email."),
        Claim("audit-ready by default", "Every approval is recorded, so the audit is "
              "ready before the auditors ask."),
        Claim("touchless invoices", "Touchless invoices: most bills flow from inbox to "
              "ledger with nobody opening them."),
    ),
    milestones=("first invoice paid", "first payment run", "first month closed"),
    repo_names=("platform", "capture-service", "payments"),
    areas=("approvals", "ocr", "matching", "payments", "ledger sync", "auth", "webhooks",
           "reports", "supplier portal", "currency", "notifications", "api"),
)

SUPPORT = Domain(
    slug="support",
    category="customer support platform",
    buyer="support leaders who answer customers at scale",
    capabilities=(
        Capability("cap_shared_inbox", "Shared inbox", "Email, chat and forms in one "
                   "queue."),
        Capability("cap_knowledge_base", "Knowledge base", "Public and internal help "
                   "articles."),
        Capability("cap_ai_answers", "AI answers", "Drafts replies from the knowledge "
                   "base."),
        Capability("cap_chat_widget", "Chat widget", "Live chat on the website and in the "
                   "app."),
        Capability("cap_sla_rules", "SLA rules", "Response and resolution targets per "
                   "customer tier."),
        Capability("cap_routing", "Skills-based routing", "Sends each ticket to the "
                   "right agent."),
        Capability("cap_csat", "CSAT surveys", "Asks for a rating after each "
                   "conversation."),
        Capability("cap_crm_sync", "CRM sync", "Customer context from the CRM beside "
                   "every ticket."),
        Capability("cap_sso", "Single sign-on", "SAML and OIDC sign-on."),
        Capability("cap_audit_log", "Audit log", "Who changed what, when."),
        Capability("cap_analytics", "Support analytics", "Volume, backlog and response "
                   "times."),
        Capability("cap_voice", "Voice channel", "Phone calls as tickets, with "
                   "recordings."),
        Capability("cap_translation", "Live translation", "Answer in the customer's "
                   "language."),
        Capability("cap_public_api", "Public API", "REST API and webhooks."),
        Capability("cap_sandbox", "Sandbox workspaces", "Test changes before they go "
                   "live."),
        Capability("cap_eu_residency", "EU data residency", "Data stored and processed in "
                   "the EU."),
        Capability("cap_workflows", "Workflow builder", "No-code automations on ticket "
                   "events."),
        Capability("cap_community", "Community forum", "Customers answer each other."),
    ),
    claims=(
        Claim("answers in minutes", "Customers get answers in minutes, not days, "
              "because every question lands with the right agent."),
        Claim("one queue for every channel", "One queue for every channel: email, chat "
              "and forms stop living in separate tools."),
        Claim("deflect repeat questions", "A knowledge base customers actually use "
              "deflects repeat questions before they become tickets."),
        Claim("agents who know the customer", "Agents see the account, plan and history, "
              "so nobody asks the customer twice."),
        Claim("support that scales without hiring", "Support that scales without hiring "
              "in step with ticket volume."),
        Claim("replies written by AI", "Replies written by AI and sent without an agent "
              "in the loop."),
    ),
    milestones=("first ticket answered", "first help article published", "inbox migrated"),
    repo_names=("platform", "widget", "ai-service"),
    areas=("inbox", "routing", "chat widget", "help center", "sla timers", "auth",
           "webhooks", "analytics", "search", "notifications", "translations", "api"),
)

DOMAINS: tuple[Domain, ...] = (DISPATCH, PAYABLES, SUPPORT)

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
