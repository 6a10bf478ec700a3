"""The relationship ledger: what happens after a quote is accepted (pure; no I/O, no clock).

- :mod:`tco.ledger.promise`: the promised cost profile of an accepted version, per unit;
- :mod:`tco.ledger.events`: service events (readings, repairs, visits, contacts) and their CSV;
- :mod:`tco.ledger.dates`: study years counted from the commissioning date;
- :mod:`tco.ledger.reliability`: the field reliability (gamma prior, 90 % credible interval);
- :mod:`tco.ledger.tracking`: promised vs actual to date, the re-forecast, per asset and customer;
- :mod:`tco.ledger.followup`: what needs a seller's attention, with the reason;
- :mod:`tco.ledger.calibration`: the field-calibrated catalog.

See docs/ledger.md.
"""
