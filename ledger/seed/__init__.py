"""A demo province for a fresh ledger: Shaanxi's 1+X pilot in one year, made up.

``seed_province`` writes it through the normal services, so every change is a ledger
entry naming its actor and every rule of the services is checked on the way.

Everything here is sample data. Organization and school names end in "（样例数据）";
learners' names, resident identity numbers and contacts are fictitious, drawn from a
seeded random generator (well-formed GB 11643 numbers with Shaanxi region prefixes,
but belonging to nobody). Do not seed a ledger that holds real records.

province.py orchestrates; facts.py holds the province's facts and model.py the shapes of
what is made up; people.py makes up names and identity numbers; registry.py, pilot.py,
credit_bank.py and oversight.py make up and write their part of the year.
"""

from ledger.seed.province import SeedSummary, seed_province

__all__ = ["SeedSummary", "seed_province"]
