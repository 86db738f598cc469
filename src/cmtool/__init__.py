"""cmtool：烟草商业企业客户经理工具箱 (customer-manager toolkit)."""

__version__ = "0.1.0"
