"""A realistic sample company (客户信息, 13 months of purchases, breach records), deterministic
from a seed; `write_company` writes it as the V3 exports users really have (data.md)."""

from cmtool.samplegen.company import Company, generate_company
from cmtool.samplegen.writers import write_company

__all__ = ["Company", "generate_company", "write_company"]
