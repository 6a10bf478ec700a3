"""Labels of the web page, as English msgids translated by the catalogs of
:mod:`tco.presenters.i18n` (the same catalog as the documents, so the page and the quote
document share their words). A label not in the catalog is shown in English.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Final

from tco.presenters.i18n import N_, gettext

#: The page's own labels (English msgids); the page also uses the document's
#: (:data:`tco.presenters.locale.LABELS`) and the words of :mod:`tco.presenters.i18n`.
LABELS: Final[tuple[str, ...]] = (
    # frame and sign-in
    N_("TCO quotes"),
    N_("Skip to the content"),
    N_("Main"),
    N_("Quotes"),
    N_("New quote"),
    N_("Sign in"),
    N_("Sign out"),
    N_("E-mail address"),
    N_("Password"),
    N_("The e-mail address or the password is wrong."),
    N_("Back to the quotes"),
    N_("Bad request"),
    N_("Not allowed"),
    N_("Not found"),
    N_("Not possible"),
    N_("Error"),
    N_("Signed out"),
    N_("Your session has ended; sign in again."),
    N_("This form has expired or did not come from this site; reload the page."),
    # list
    N_("Customer or number"),
    N_("Status"),
    N_("any"),
    N_("Search"),
    N_("Quotes, newest first"),
    N_("Number"),
    N_("Title"),
    N_("Version"),
    N_("Quote date"),
    N_("No quotes found."),
    N_("Build a new quote"),
    N_("draft"),
    N_("sent"),
    N_("accepted"),
    N_("rejected"),
    N_("expired"),
    # builder
    N_("Revise quote"),
    N_("Back to the quote"),
    N_("Customer and quote"),
    N_("Customer segment"),
    N_("standard"),
    N_("dealer"),
    N_("Valid for"),
    N_("days"),
    N_("Document language"),
    N_("Lifetime saving"),
    N_("See the comparison"),
    N_("Our offer"),
    N_("Product"),
    N_("Quantity"),
    N_("Discount"),
    N_("No service plan"),
    N_("of the price a year"),
    N_("repairs"),
    N_("cash"),
    N_("loan"),
    N_("lease"),
    N_("Loan interest rate"),
    N_("% a year"),
    N_("Term"),
    N_("Down payment"),
    N_("Lease payment per year"),
    N_("Lease payments"),
    N_("in arrears"),
    N_("in advance"),
    N_("Plan renewal"),
    N_("years term"),
    N_("none: the plan's term only"),
    N_("to the end of the study period"),
    N_("once"),
    N_("twice"),
    N_("three times"),
    N_("Compared with"),
    N_("Compare with"),
    N_("a competitor's offer"),
    N_("keeping the existing machine"),
    N_("Name"),
    N_("Price"),
    N_("Service life"),
    N_(
        "The technical values start as our product's; replace them with the other machine's data "
        "sheet.",
    ),
    N_("Energy and failures"),
    N_("Rated power"),
    N_("Average load"),
    N_("Operating hours between failures"),
    N_("Repair cost per failure"),
    N_("Downtime per failure"),
    N_("Preventive maintenance per year"),
    N_("Their service contract"),
    N_("Service contract fee per year"),
    N_("Repairs covered by the contract"),
    N_("Maintenance covered by the contract"),
    N_("Contract response time"),
    N_("Prefilled with your catalog's defaults."),
    N_("Escalation per year"),
    N_("labor"),
    N_("parts"),
    N_("Energy price per kWh"),
    N_("Buyer's hourly rate"),
    N_("Hours per purchase order"),
    N_("Hours per repair order"),
    N_("This version"),
    N_("Note on the change"),
    N_("Price with the current catalog (otherwise the prices of the saved version stay)"),
    N_("Save as new version"),
    N_("Save quote"),
    N_("Comparison"),
    N_("Enter the customer and the other offer's name and price to see the comparison."),
    N_("Fix these fields to see the comparison:"),
    N_("required"),
    N_("enter a number"),
    N_("enter a whole number"),
    N_("must be below 100 %"),
    N_("must be at most 100 %"),
    N_("must be at least 0"),
    N_("must be at least 1"),
    N_("h"),
    N_("years"),
    N_("enter a number such as {example}"),
    N_("enter a whole number such as {example}"),
    # plausibility warnings and their confirmation
    N_("{value} is above your discount limit of {limit}"),
    N_("{price} is {share} below the list price of {product} ({list_price})"),
    N_("{price} is {share} above the list price of {product} ({list_price})"),
    N_("Please check these numbers:"),
    N_("I checked the numbers"),
    N_("Tick “I checked the numbers” once you have checked them; then save again."),
    # revising with another plan or product
    N_(
        "{what} is not among the prices saved with version {version} (a version keeps only what "
        "it uses). This version is priced with the current catalog (version {current}), and so "
        "are its other items: “Price with the current catalog” is ticked.",
    ),
    N_(
        "Version {current} of this quote was saved meanwhile by {who}; this form was made on "
        "version {base}. Saving it shows what changed, and saves nothing.",
    ),
    N_("Check it and save again."),
    # one quote per form, drafts
    N_("This form was used for another quote; reload it."),
    N_("This browser kept changes to this form that were not saved."),
    N_("Restore your unsaved changes"),
    N_("Discard"),
    N_(
        "Your session has ended; sign in again. The builder keeps what you typed in this browser "
        "and offers to restore it.",
    ),
    # comparison
    N_("Lifetime saving of the recommended offer"),
    N_("present value over"),
    N_("Figure"),
    N_("All figures"),
    # quote page
    N_("Revise"),
    N_("Version shown"),
    N_("of"),
    N_("Send to the customer"),
    N_("Files of version"),
    N_("in the quote's language"),
    N_("Workbook (.xlsx)"),
    N_("Document (.pdf)"),
    N_("Document (.html)"),
    N_("Change the status to"),
    N_("Change"),
    N_("Apply"),
    N_("Versions"),
    N_("Changes from version"),
    N_("to"),
    N_("What"),
    N_("Field"),
    N_("Before"),
    N_("After"),
    N_("input"),
    N_("result"),
    N_("Nothing changed."),
    N_("History"),
    N_("When"),
    N_("Who"),
    N_("created"),
    N_("revised"),
    N_("status"),
    N_("percentage points"),
    N_("Recommended offer"),
    # after saving, missing versions
    N_("Quote {number} saved as version {version}."),
    N_(
        "This form had already been saved: quote {number}, version {version}. It was not saved a "
        "second time.",
    ),
    N_(
        "This form had already been saved as quote {number}, version {version}; what was changed "
        "in it afterwards was not saved. Revise the quote to change it.",
    ),
    N_("Version {version} of quote {number} does not exist; {has}."),
    N_("it has version 1"),
    N_("it has versions {first}–{last}"),
    N_("Show the latest version ({version})"),
    # final statuses
    N_("Accepted and rejected are final: you are asked to confirm them."),
    N_("Confirm the status"),
    N_("Mark quote {number} as {status}?"),
    N_(
        "The quote is {now} now. {status} is final: the quote can then no longer be revised and "
        "its status cannot be changed again.",
    ),
    N_("Yes, mark it as {status}"),
    N_("Cancel"),
    # a revision saved meanwhile
    N_("Not saved"),
    N_("Quote {number} was changed while you were editing it"),
    N_(
        "Nothing was saved. You started from version {base}; version {current} was saved "
        "meanwhile by {who} ({when}). Saving your form would have undone its changes.",
    ),
    N_("Load version {current} into the form"),
    N_("Then enter your changes again; they are listed below."),
    N_("What version {current} changed (against version {base})"),
    N_("Your changes (not saved)"),
    N_("Your value"),
    N_("You had not changed any field."),
)


@cache
def translator(language: str) -> Callable[[str], str]:
    """``t(label)`` for ``en`` or ``de``."""

    def t(label: str) -> str:
        return gettext(language, label)

    return t
