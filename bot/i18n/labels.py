"""Labels that live in the site config, marked here so `pybabel extract` puts them in the catalogs.

A site that adds a category adds its English label here too (and translates it); a test checks that
every label in config/overvecht.example.toml is in every catalog.
"""

from bot.i18n.catalogs import N_

CATEGORY_LABELS = (
    N_("Question"),
    N_("Noise"),
    N_("Drug dealing"),
    N_("Damage or broken"),
    N_("Rubbish or dirt"),
    N_("Neighbour conflict"),
    N_("Unsafe situation"),
    N_("Something else"),
    N_("Money and debts"),
    N_("Benefits and allowances"),
    N_("Care and health"),
    N_("Parenting and youth"),
    N_("Language and learning"),
    N_("Practical help"),
    N_("Not home on a work day"),
    N_("Help to prepare for the works"),
    N_("A place to rest during the works"),
)
