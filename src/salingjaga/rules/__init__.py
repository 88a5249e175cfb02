"""Election rules (P4): GPPPA feature gates, account classification, official campaign
accounts, political-ad review and the election calendar per region."""
