"""What the quirks write: translated and off-picklist labels, currencies and their rates,
accented account names, the migration's ids, the forecast teams' names, and the shares of
rows each quirk touches. The translated labels are declared in ``localized.yaml``."""

from __future__ import annotations

from throughline.core.datafiles import packaged_yaml

LOCALIZED_SHARE = 0.3
SPANISH_SHARE = 0.65  # of the localized deals; the rest are Portuguese
# English label -> (Spanish, Portuguese); None keeps the English label in that language
LOCALIZED: dict[str, tuple[str | None, str | None]] = {
    english: (spanish, portuguese) for english, (spanish, portuguese)
    in packaged_yaml("throughline.sample.quirks", "localized.yaml").items()}

UNUSUAL_SHARE = 0.08  # of inbound deals (about 3% of all deals)
# the channel of the source a label replaces -> the unusual label
UNUSUAL: dict[str, str] = {"paid": "G2 Review", "website": "Website Chat",
                           "content": "Podcast", "events": "Community"}

CORPORATE = "USD"
# units of each currency per 1 USD (Salesforce ConversionRate against the corporate one)
RATES: dict[str, float] = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "MXN": 17.2, "CAD": 1.36}
CURRENCY_OF_COUNTRY = {"United Kingdom": "GBP", "Germany": "EUR", "France": "EUR",
                       "Netherlands": "EUR", "Ireland": "EUR", "Spain": "EUR"}
LOCAL_CURRENCY_SHARE = 0.7  # of accounts in those countries (the rest sign in USD)
MXN_SHARE = 0.05  # of the other accounts (booked by the Mexico City desk)
CURRENCY_CODES = tuple(RATES)

ACCENTED_SHARE = 0.15
ACCENTED_NAMES = ("Telefónica", "Compañía Café", "Crédito Andino", "Açúcar União",
                  "Bäckerei Müller", "Énergie Bleue", "Señal Norte", "Ñandú Logística",
                  "Café Göteborg", "Óptica Peña", "Construções Irmãos", "Hôtellerie Réunie",
                  "Fábrica Sánchez", "Søndergård", "Maître Crème")
ACCENTED_CORP = ("S.A.", "S.L.", "Ltda.", "GmbH", "SARL", "S.A. de C.V.", "AB")

MIGRATION_SHARE = 0.5  # of the deals created before the migration
MIGRATION_SERIAL_BASE = 62**4 * 9  # ids of the recreated rows, clear of the genuine ones

TEAM_LAST_NAMES = ("Okafor", "Lindqvist", "Moreau", "Tanaka", "Alvarez", "Novak", "Haddad",
                   "Kowalski", "Byrne", "Silva", "Chen", "Adeyemi", "Fischer", "Rossi",
                   "Nakamura", "Dubois", "Larsen", "Ibrahim")

LOST_BLANK_SHARE = 0.35
BACKDATED_SHARE = 0.005  # of won deals that closed early enough; at least 3 per chunk
