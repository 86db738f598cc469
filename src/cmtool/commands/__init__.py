"""The commands: one module each, imported only when its command runs (see cli.py)."""

# The commands in the order `cmtool --help` lists them: name -> (module in cmtool.commands, the
# one line shown there). A module is imported only when its command runs or shows its own help,
# so `cmtool --help` and `cmtool --version` start without pandas, pyarrow or the writers.
COMMANDS: dict[str, tuple[str, str]] = {
    "classify": ("classify", "季度零售客户分类（经营规模、42类综合分类、统计表、告知书）"),
    "top5": ("top5", "月销量排名前5%客户名单与档案（新进入、退出归档、异常监控）"),
    "group-init": ("group_init", "新入网客户的客户组别、定量组别初始划分"),
    "group-adjust": ("group_adjust", "月度组别调整建议与书面申请"),
    "quota-review": ("quota_review", "季度单户单次定量组别集中清理表"),
    "check": ("check", "数据检查：全部文件的数据问题和基础信息问题"),
    "calendar": ("calendar", "本月各项工作的截止日与工作日"),
    "customer": ("customer", "一户客户的全部记录；A4 客户信息卡"),
    "dynamic": ("dynamic", "诚信经营协议动态管理：月末审议、通知书、签收、到期恢复"),
    "visit": ("visit", "某天（或一周）要拜访的客户：拜访客户表，附待做的营销动作"),
    "plan": ("plan", "营销动作计划（135工作法）：生成、审批、标注、执行标注表"),
    "analyze": ("analyze", "单项分析、关联分析、指导经营对象、品牌培育名单、分析报告"),
    "sample": ("sample", "生成示例数据（虚构的城市烟草公司，可指定户数与随机种子）"),
}

# Commands that write a large document in a worker process (documents/background.py), started
# before the command's module is imported when the file given to the option is at least this
# large: name -> (option, bytes, the modules the worker imports). 2 MB is a customer master of
# some 16,000 customers in xlsx (10,000 in CSV); classify uses the worker from 20,000 customers,
# top5 from 1,000 files (档案), the top 5 % of 20,000.
EARLY_WORKERS: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "classify": ("--customers", 2 << 20, ("cmtool.documents.statbook",)),
    "top5": ("--customers", 2 << 20, ("cmtool.documents.top5book",)),
}
