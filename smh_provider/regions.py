"""Tencent Cloud public regions where COS (and so a media library's bucket) can live."""

REGIONS = (
    "ap-beijing-1", "ap-beijing", "ap-nanjing", "ap-shanghai", "ap-guangzhou", "ap-chengdu", "ap-chongqing",
    "ap-hongkong", "ap-singapore", "ap-mumbai", "ap-jakarta", "ap-seoul", "ap-bangkok", "ap-tokyo",
    "na-siliconvalley", "na-ashburn", "na-toronto", "sa-saopaulo", "eu-frankfurt",
)
