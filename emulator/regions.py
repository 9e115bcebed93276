"""Region ids the emulator accepts (fact sheet 1.0)."""

COS_REGIONS = frozenset({
    "ap-beijing-1", "ap-beijing", "ap-nanjing", "ap-shanghai", "ap-guangzhou", "ap-chengdu", "ap-chongqing",
    "ap-hongkong", "ap-singapore", "ap-mumbai", "ap-jakarta", "ap-seoul", "ap-bangkok", "ap-tokyo",
    "na-siliconvalley", "na-ashburn", "na-toronto", "sa-saopaulo", "eu-frankfurt",
})
MAZ_REGIONS = frozenset({"ap-beijing", "ap-shanghai", "ap-guangzhou", "ap-singapore"})
