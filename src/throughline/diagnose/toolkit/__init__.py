"""The toolkit diagnostics are built with: portable Ibis helpers.

Everything here builds expressions that the engine runs (DuckDB by default, any Ibis
backend otherwise); nothing pulls rows except the query helpers, which run an aggregate
and return its few rows. Only portable operations are used — ``truncate``, ``delta``,
``sum(where=...)``, window functions — so the same code compiles for Postgres, Snowflake
or Trino (checked against the DuckDB and PostgreSQL dialects).

Where is what:

* ``columns``  — labels, channels, blanks, day differences, exact sums, quantiles, cuts by
  several dimensions (``by_dimensions``);
* ``calendar`` — the run's as-of date and month arithmetic on Python dates;
* ``accounts`` — first won deal, the account profile and joining it onto a table;
* ``queries``  — running an aggregate and reading its rows, monthly counts, medians and
  shares with intervals, evidence, MRR at a date (``filled_counts`` and
  ``require_filled`` come from :mod:`throughline.diagnose.context`, where ``ctx.require``
  uses the first);
* :mod:`throughline.diagnose.values` — plain Python values from engine results.
"""

from throughline.diagnose.context import filled_counts, require_filled
from throughline.diagnose.toolkit.accounts import account_profile, attach_profile, first_won
from throughline.diagnose.toolkit.calendar import (
    add_months,
    as_of,
    complete_months,
    first_incomplete_month,
    first_of_month,
    month_index,
    month_key,
)
from throughline.diagnose.toolkit.columns import (
    ACCOUNT_ATTRIBUTES,
    APPROXIMATE_QUANTILES,
    CATCH_ALL,
    DEAL_ATTRIBUTES,
    UNATTRIBUTED,
    UNKNOWN,
    blank,
    by_dimensions,
    date_lit,
    days_between,
    deal_channel,
    elapsed_days,
    fmean,
    fsum,
    hours_between,
    is_unattributed,
    label,
    label_or_null,
    month,
    norm,
    quantile,
    truthy,
    ts_lit,
    without,
)
from throughline.diagnose.toolkit.queries import (
    active_on,
    evidence,
    median_interval,
    median_levels,
    monthly,
    mrr_at,
    one_row,
    rows,
    share_interval,
    split_by_dimension,
)
from throughline.diagnose.values import as_int, plain_value, records, to_date

__all__ = [
    "ACCOUNT_ATTRIBUTES",
    "APPROXIMATE_QUANTILES",
    "CATCH_ALL",
    "DEAL_ATTRIBUTES",
    "UNATTRIBUTED",
    "UNKNOWN",
    "account_profile",
    "active_on",
    "add_months",
    "as_int",
    "as_of",
    "attach_profile",
    "blank",
    "by_dimensions",
    "complete_months",
    "date_lit",
    "days_between",
    "deal_channel",
    "elapsed_days",
    "evidence",
    "filled_counts",
    "first_incomplete_month",
    "first_of_month",
    "first_won",
    "fmean",
    "fsum",
    "hours_between",
    "is_unattributed",
    "label",
    "label_or_null",
    "median_interval",
    "median_levels",
    "month",
    "month_index",
    "month_key",
    "monthly",
    "mrr_at",
    "norm",
    "one_row",
    "plain_value",
    "quantile",
    "records",
    "require_filled",
    "rows",
    "share_interval",
    "split_by_dimension",
    "to_date",
    "truthy",
    "ts_lit",
    "without",
]
