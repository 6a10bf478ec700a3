"""Labels of the web page in English and German.

Keys are the English text. A label not found here falls back to the quote document's
translations (:mod:`tco.presenters.locale`), then to the English text itself.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from tco.presenters.locale import GERMAN as DOCUMENT_GERMAN

GERMAN: dict[str, str] = {
    # frame and sign-in
    "TCO quotes": "TCO-Angebote",
    "Skip to the content": "Zum Inhalt springen",
    "Main": "Hauptmenü",
    "Quotes": "Angebote",
    "New quote": "Neues Angebot",
    "Sign in": "Anmelden",
    "Sign out": "Abmelden",
    "E-mail address": "E-Mail-Adresse",
    "Password": "Passwort",
    "The e-mail address or the password is wrong.": "E-Mail-Adresse oder Passwort ist falsch.",
    "Back to the quotes": "Zurück zu den Angeboten",
    "Bad request": "Ungültige Anfrage",
    "Not allowed": "Nicht erlaubt",
    "Not found": "Nicht gefunden",
    "Not possible": "Nicht möglich",
    "Error": "Fehler",
    "Signed out": "Abgemeldet",
    "Your session has ended; sign in again.": "Ihre Sitzung ist abgelaufen; bitte neu anmelden.",
    "This form has expired or did not come from this site; reload the page.": (
        "Dieses Formular ist abgelaufen oder stammt nicht von dieser Seite; bitte neu laden."
    ),
    # list
    "Customer or number": "Kunde oder Nummer",
    "Status": "Status",
    "any": "alle",
    "Search": "Suchen",
    "Quotes, newest first": "Angebote, neueste zuerst",
    "Number": "Nummer",
    "Title": "Titel",
    "Version": "Version",
    "Quote date": "Angebotsdatum",
    "No quotes found.": "Keine Angebote gefunden.",
    "Build a new quote": "Ein neues Angebot erstellen",
    "draft": "Entwurf",
    "sent": "versendet",
    "accepted": "angenommen",
    "rejected": "abgelehnt",
    "expired": "abgelaufen",
    # builder
    "Revise quote": "Angebot überarbeiten",
    "Back to the quote": "Zurück zum Angebot",
    "Customer and quote": "Kunde und Angebot",
    "Customer segment": "Kundensegment",
    "standard": "Standard",
    "dealer": "Händler",
    "Valid for": "Gültig für",
    "days": "Tage",
    "Document language": "Dokumentsprache",
    "Lifetime saving": "Einsparung über die Lebensdauer",
    "See the comparison": "Zum Vergleich",
    "Our offer": "Unser Angebot",
    "Product": "Produkt",
    "Quantity": "Menge",
    "Discount": "Rabatt",
    "No service plan": "Kein Serviceplan",
    "of the price a year": "des Preises pro Jahr",
    "repairs": "Reparaturen",
    "cash": "Kauf",
    "loan": "Kredit",
    "lease": "Leasing",
    "Loan interest rate": "Kreditzins",
    "% a year": "% p. a.",
    "Term": "Laufzeit",
    "Down payment": "Anzahlung",
    "Lease payment per year": "Leasingrate pro Jahr",
    "Lease payments": "Leasingraten",
    "in arrears": "nachschüssig",
    "in advance": "vorschüssig",
    "Plan renewal": "Verlängerung des Serviceplans",
    "years term": "Jahre Laufzeit",
    "none: the plan's term only": "keine: nur die Laufzeit des Plans",
    "to the end of the study period": "bis zum Ende des Betrachtungszeitraums",
    "once": "einmal",
    "twice": "zweimal",
    "three times": "dreimal",
    "Compared with": "Verglichen mit",
    "Compare with": "Vergleichen mit",
    "a competitor's offer": "dem Angebot eines Wettbewerbers",
    "keeping the existing machine": "dem Weiterbetrieb der vorhandenen Maschine",
    "Name": "Name",
    "Price": "Preis",
    "Service life": "Nutzungsdauer",
    "The technical values start as our product's; replace them with the other machine's data "
    "sheet.": (
        "Die technischen Werte sind die unseres Produkts; ersetzen Sie sie durch die Daten der "
        "anderen Maschine."
    ),
    "Energy and failures": "Energie und Ausfälle",
    "Rated power": "Nennleistung",
    "Average load": "Mittlere Auslastung",
    "Operating hours between failures": "Betriebsstunden zwischen Ausfällen",
    "Repair cost per failure": "Reparaturkosten je Ausfall",
    "Downtime per failure": "Stillstand je Ausfall",
    "Preventive maintenance per year": "Vorbeugende Wartung pro Jahr",
    "Their service contract": "Deren Servicevertrag",
    "Service contract fee per year": "Servicegebühr pro Jahr",
    "Repairs covered by the contract": "Vom Vertrag getragene Reparaturen",
    "Maintenance covered by the contract": "Vom Vertrag getragene Wartung",
    "Contract response time": "Reaktionszeit laut Vertrag",
    "Prefilled with your catalog's defaults.": "Vorbelegt mit den Standardwerten Ihres Katalogs.",
    "Escalation per year": "Preissteigerung pro Jahr",
    "labor": "Arbeit",
    "parts": "Teile",
    "Energy price per kWh": "Energiepreis je kWh",
    "Buyer's hourly rate": "Stundensatz des Käufers",
    "Hours per purchase order": "Stunden je Bestellung",
    "Hours per repair order": "Stunden je Reparaturauftrag",
    "This version": "Diese Version",
    "Note on the change": "Notiz zur Änderung",
    "Price with the current catalog (otherwise the prices of the saved version stay)": (
        "Mit dem aktuellen Katalog bepreisen (sonst bleiben die Preise der gespeicherten Version)"
    ),
    "Save as new version": "Als neue Version speichern",
    "Save quote": "Angebot speichern",
    "Comparison": "Vergleich",
    "Enter the customer and the other offer's name and price to see the comparison.": (
        "Geben Sie den Kunden sowie Namen und Preis des anderen Angebots ein, um den Vergleich "
        "zu sehen."
    ),
    "Fix these fields to see the comparison:": "Bitte korrigieren Sie diese Felder:",
    "required": "Pflichtfeld",
    "enter a number": "Bitte eine Zahl eingeben",
    "enter a whole number": "Bitte eine ganze Zahl eingeben",
    "must be below 100 %": "muss unter 100 % liegen",
    "must be at most 100 %": "darf höchstens 100 % sein",
    "must be at least 0": "muss mindestens 0 sein",
    "must be at least 1": "muss mindestens 1 sein",
    "h": "h",
    "years": "Jahre",
    "enter a number such as {example}": "Bitte eine Zahl wie {example} eingeben",
    "enter a whole number such as {example}": "Bitte eine ganze Zahl wie {example} eingeben",
    # plausibility warnings and their confirmation
    "{value} is above your discount limit of {limit}": (
        "{value} liegt über Ihrem Rabattlimit von {limit}"
    ),
    "{price} is {share} below the list price of {product} ({list_price})": (
        "{price} liegt {share} unter dem Listenpreis von {product} ({list_price})"
    ),
    "{price} is {share} above the list price of {product} ({list_price})": (
        "{price} liegt {share} über dem Listenpreis von {product} ({list_price})"
    ),
    "Please check these numbers:": "Bitte prüfen Sie diese Zahlen:",
    "I checked the numbers": "Ich habe die Zahlen geprüft",
    "Tick “I checked the numbers” once you have checked them; then save again.": (
        "Kreuzen Sie „Ich habe die Zahlen geprüft“ an, sobald Sie sie geprüft haben, und "
        "speichern Sie erneut."
    ),
    # revising with another plan or product
    "{what} is not among the prices saved with version {version} (a version keeps only what "
    "it uses). This version is priced with the current catalog (version {current}), and so are "
    "its other items: “Price with the current catalog” is ticked.": (
        "{what} ist nicht unter den Preisen, die mit Version {version} gespeichert sind (eine "
        "Version behält nur, was sie verwendet). Diese Version wird mit dem aktuellen Katalog "
        "(Version {current}) bepreist, ebenso ihre übrigen Positionen: „Mit dem aktuellen "
        "Katalog bepreisen“ ist angekreuzt."
    ),
    "Version {current} of this quote was saved meanwhile by {who}; this form was made on "
    "version {base}. Saving it shows what changed, and saves nothing.": (
        "Inzwischen hat {who} Version {current} dieses Angebots gespeichert; dieses Formular "
        "beruht auf Version {base}. Beim Speichern sehen Sie, was sich geändert hat; gespeichert "
        "wird nichts."
    ),
    "Check it and save again.": "Bitte prüfen und erneut speichern.",
    # one quote per form, drafts
    "This form was used for another quote; reload it.": (
        "Dieses Formular wurde für ein anderes Angebot verwendet; bitte neu laden."
    ),
    "This browser kept changes to this form that were not saved.": (
        "Dieser Browser hat nicht gespeicherte Änderungen an diesem Formular aufbewahrt."
    ),
    "Restore your unsaved changes": "Nicht gespeicherte Änderungen wiederherstellen",
    "Discard": "Verwerfen",
    "Your session has ended; sign in again. The builder keeps what you typed in this browser "
    "and offers to restore it.": (
        "Ihre Sitzung ist abgelaufen; bitte neu anmelden. Der Angebotseditor hat Ihre Eingaben "
        "in diesem Browser aufbewahrt und bietet an, sie wiederherzustellen."
    ),
    # comparison
    "Lifetime saving of the recommended offer": "Lebenszyklus-Einsparung des empfohlenen Angebots",
    "present value over": "Barwert über",
    "Figure": "Kennzahl",
    "All figures": "Alle Kennzahlen",
    # quote page
    "Revise": "Überarbeiten",
    "Version shown": "Angezeigte Version",
    "of": "von",
    "Send to the customer": "An den Kunden senden",
    "Files of version": "Dateien der Version",
    "in the quote's language": "in der Sprache des Angebots",
    "Workbook (.xlsx)": "Arbeitsmappe (.xlsx)",
    "Document (.pdf)": "Dokument (.pdf)",
    "Document (.html)": "Dokument (.html)",
    "Change the status to": "Status ändern auf",
    "Change": "Änderung",
    "Apply": "Übernehmen",
    "Versions": "Versionen",
    "Changes from version": "Änderungen von Version",
    "to": "zu",
    "What": "Was",
    "Field": "Feld",
    "Before": "Vorher",
    "After": "Nachher",
    "input": "Eingabe",
    "result": "Ergebnis",
    "Nothing changed.": "Nichts geändert.",
    "History": "Verlauf",
    "When": "Wann",
    "Who": "Wer",
    "created": "erstellt",
    "revised": "überarbeitet",
    "status": "Status",
    "percentage points": "Prozentpunkte",
    "Recommended offer": "Empfohlenes Angebot",
    # after saving, missing versions
    "Quote {number} saved as version {version}.": (
        "Angebot {number} als Version {version} gespeichert."
    ),
    "This form had already been saved: quote {number}, version {version}. It was not saved a "
    "second time.": (
        "Dieses Formular war schon gespeichert: Angebot {number}, Version {version}. Es wurde "
        "kein zweites Mal gespeichert."
    ),
    "This form had already been saved as quote {number}, version {version}; what was changed "
    "in it afterwards was not saved. Revise the quote to change it.": (
        "Dieses Formular war schon als Angebot {number}, Version {version} gespeichert; was "
        "danach darin geändert wurde, ist nicht gespeichert. Überarbeiten Sie das Angebot, um "
        "es zu ändern."
    ),
    "Version {version} of quote {number} does not exist; {has}.": (
        "Version {version} des Angebots {number} gibt es nicht; {has}."
    ),
    "it has version 1": "es hat nur Version 1",
    "it has versions {first}–{last}": "es hat die Versionen {first}–{last}",
    "Show the latest version ({version})": "Neueste Version anzeigen ({version})",
    # final statuses
    "Accepted and rejected are final: you are asked to confirm them.": (
        "Angenommen und abgelehnt sind endgültig: Sie werden um Bestätigung gebeten."
    ),
    "Confirm the status": "Status bestätigen",
    "Mark quote {number} as {status}?": "Angebot {number} als {status} markieren?",
    "The quote is {now} now. {status} is final: the quote can then no longer be revised and "
    "its status cannot be changed again.": (
        "Das Angebot ist jetzt {now}. {status} ist endgültig: Das Angebot kann danach nicht "
        "mehr überarbeitet und sein Status nicht mehr geändert werden."
    ),
    "Yes, mark it as {status}": "Ja, als {status} markieren",
    "Cancel": "Abbrechen",
    # a revision saved meanwhile
    "Not saved": "Nicht gespeichert",
    "Quote {number} was changed while you were editing it": (
        "Angebot {number} wurde geändert, während Sie es bearbeitet haben"
    ),
    "Nothing was saved. You started from version {base}; version {current} was saved "
    "meanwhile by {who} ({when}). Saving your form would have undone its changes.": (
        "Es wurde nichts gespeichert. Sie haben mit Version {base} begonnen; inzwischen hat "
        "{who} Version {current} gespeichert ({when}). Ihr Formular hätte deren Änderungen "
        "rückgängig gemacht."
    ),
    "Load version {current} into the form": "Version {current} ins Formular laden",
    "Then enter your changes again; they are listed below.": (
        "Geben Sie dann Ihre Änderungen erneut ein; sie stehen unten."
    ),
    "What version {current} changed (against version {base})": (
        "Was Version {current} geändert hat (gegenüber Version {base})"
    ),
    "Your changes (not saved)": "Ihre Änderungen (nicht gespeichert)",
    "Your value": "Ihr Wert",
    "You had not changed any field.": "Sie hatten kein Feld geändert.",
}


@cache
def translator(language: str) -> Callable[[str], str]:
    """``t(label)`` for ``en`` or ``de``."""
    if language != "de":
        return lambda key: key
    table = {**DOCUMENT_GERMAN, **GERMAN}
    return lambda key: table.get(key, key)
