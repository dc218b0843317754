"""Import profiles: one YAML mapping per known export (Salesforce, HubSpot, Pipedrive, …);
``throughline ingest --profile NAME`` reads them. Data only."""

__all__: list[str] = []
