"""Import population figures saved from Statistics Norway (SSB) as JSON-stat 2.0.

Reads a file saved from SSB's PxWebApi (table 07459: population by municipality, sex and
single year of age; table 13600: projections by variant), never the network. Its shape is
checked first (``id``, ``size``, ``dimension`` and ``value`` agree, every value is a number or null);
then it is turned into the tidy CSV tables a scenario uses:

* ``population_<year>.csv`` — ``area, age, sex, persons`` (the layout of
  ``scenarios/asker/data/population_2024.csv``: 3 decimals, rows by area, sex, age);
* ``control_totals_<variant>.csv`` — ``year, persons`` per projection variant.

Dimensions are found by their ids or labels (Region/kommune, Kjonn, Alder, Tid,
ContentsCode, a variant dimension such as "Alternativ"); totals (all ages, both sexes) are
dropped. Municipality codes that changed in 2020 and 2024 are mapped through a code table
(``ltsim/data/municipality_codes.csv``), so a history can be summed across a merger.
Every problem is an :class:`~ltsim.errors.InputError` naming the file and what was found.

Modules: ``jsonstat`` (parsing and shape checks), ``codes`` (the code table), ``csv_files``
(``--codes`` and ``--areas`` files), ``dimensions`` (categories read and chosen),
``population`` (the tables built; :func:`import_ssb`). ``check_output`` and ``write_files``
live in :mod:`ltsim.io.output` and are re-exported here for older callers.
"""

from ltsim.io.output import check_output, output_problem, write_files
from ltsim.io.ssb.codes import CODE_TABLE, CodeTable, load_code_table
from ltsim.io.ssb.dimensions import slug
from ltsim.io.ssb.jsonstat import Dimension, JsonStat, read_jsonstat
from ltsim.io.ssb.population import SsbResult, import_ssb

__all__ = [
    "CODE_TABLE",
    "CodeTable",
    "Dimension",
    "JsonStat",
    "SsbResult",
    "check_output",
    "import_ssb",
    "load_code_table",
    "output_problem",
    "read_jsonstat",
    "slug",
    "write_files",
]
