"""The columns of a contact list: which values a contact import reads, and the names that CRMs
and spreadsheets give their columns (Salesforce, Dynamics, HubSpot, Pipedrive, Zoho, municipal
relation managers): "Datum contact", "Account Name", "First Name" and "Last Name".

How headers are compared and chosen columns remembered is survey/imports/columns.py.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey.imports.columns import IGNORED, NAME_PARTS, PART, ColumnSet, Rules

COLUMN_LABELS = {
    "company_name": _l("Company name"),
    "registry_number": _l("KvK or KBO number"),
    "person_name": _l("Contact person"),
    "email": _l("Email address"),
    "locale": _l("Language"),
    "contacted_on": _l("Date"),
    "channel": _l("Channel"),
    "subject": _l("Subject"),
    "account_manager": _l("Account manager"),
}

# Names as people and CRMs write them, in order: the first rule that matches a header wins, so
# "Contact date" is a date and "Contact owner" an account manager before "contact" is a person.
RULES: Rules = (
    (IGNORED, ("id", "guid", "record id", "created", "aangemaakt", "aanmaakdatum",
               "modified", "gewijzigd", "wijzigingsdatum", "updated", "bijgewerkt", "create",
               "create date", "createdate", "creation date",
               "vervaldatum", "next", "volgende", "deadline",
               "geboortedatum", "birthdate", "birthday", "vestigingsnummer", "btw",
               "btw nummer", "vat", "vat number", "rsin", "telefoon", "telefoonnummer",
               "phone number", "mobile", "mobiel", "website",
               "postcode", "zip", "status", "company type", "account type", "record type",
               "account number", "rechtsvorm", "legal form")),
    ("account_manager", ("accountmanager", "account manager", "accountmanager email",
                         "account owner", "accounthouder", "owner", "eigenaar", "contact owner",
                         "activity owner", "assigned", "assigned to", "toegewezen aan",
                         "behandelaar",
                         "relatiebeheerder", "relatiemanager", "medewerker", "ambtenaar",
                         "bedrijfscontactfunctionaris", "user", "gebruiker")),
    ("registry_number", ("kvk", "kvknummer", "kvk nummer", "kvk nr", "kvknr", "kbo",
                         "kbonummer", "kbo nummer", "ondernemingsnummer", "chamber of commerce",
                         "chamber of commerce number", "coc", "coc number", "registry number",
                         "registration number", "company number", "company registration",
                         "handelsregister", "handelsregisternummer", "inschrijvingsnummer",
                         "registry")),
    ("email", ("email", "mail", "emailadres", "email address", "emailaddress", "mailadres",
               "emailaddress1", "primary email", "e mail")),
    ("contacted_on", ("datum", "date", "contactdatum", "contact date", "activity date",
                      "activiteitsdatum", "datum activiteit", "gespreksdatum", "bezoekdatum",
                      "visit date", "meeting date", "afspraakdatum", "call date", "startdatum",
                      "start date", "actual start", "start time", "call start time", "starttijd",
                      "datum tijd", "date time")),
    ("channel", ("kanaal", "contactvorm", "contactsoort", "contact type", "contacttype",
                 "type contact", "type activiteit", "activiteitstype", "activity type",
                 "type", "soort", "soort contact", "medium", "channel", "contactkanaal",
                 "wijze van contact", "manier van contact")),
    ("locale", ("taal", "language", "voorkeurstaal", "preferred language", "locale",
                "correspondentietaal", "communicatietaal")),
    ("subject", ("onderwerp", "subject", "omschrijving", "gespreksonderwerp",
                 "aanleiding", "topic", "regarding")),
    ("company_name", ("bedrijf", "bedrijfsnaam", "company", "company name", "organisatie",
                      "organisatienaam", "organisation", "organization", "organization name",
                      "account", "account name", "onderneming", "ondernemingsnaam",
                      "handelsnaam", "trade name", "klant", "klantnaam", "relatie",
                      "relatienaam", "business", "business name", "firma", "statutaire naam")),
    (PART, NAME_PARTS),
    ("person_name", ("contactpersoon", "contact person", "contact", "naam", "name",
                     "full name", "volledige naam", "contact name", "persoon", "person",
                     "ondernemer", "entrepreneur", "aanspreekpersoon", "gesprekspartner",
                     "klantcontact")),
)  # fmt: skip

CONTACT_COLUMNS = ColumnSet(
    kind="",  # the key of the choices remembered before participant lists existed
    labels=COLUMN_LABELS,
    required=("company_name", "person_name", "email", "contacted_on", "channel"),
    rules=RULES,
    # First name, middle part and last name: several columns that together make one value.
    joined="person_name",
    more_examples={"person_name": ("voornaam + achternaam", "first name + last name")},
)
