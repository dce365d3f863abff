"""The state fee an applicant pays before confirming a booking: a number of monthly calculation
indices (MCI) at the MCI of the year, both configurable (`KEZEK_STATE_FEE_MCI`, `KEZEK_MCI_TENGE`),
so a new year's MCI is a setting, not a release."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any


@dataclass(frozen=True)
class StateFee:
    mci: Decimal  # how many indices
    mci_tenge: int  # one index, in tenge

    @property
    def amount(self) -> Decimal:
        return (self.mci * self.mci_tenge).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> StateFee:
        return cls(Decimal(str(config["STATE_FEE_MCI"])), int(config["MCI_TENGE"]))
