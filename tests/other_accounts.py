"""Another account and temporary keys the emulator is told about (--accounts) for cross-account tests.

Each service module has its own keys, so one module's tests cannot pass with another's."""

from __future__ import annotations

from tests.sdk_clients import APP_ID

OTHER_APP_ID, OTHER_UIN = "1250000001", "100000000002"
CI_OTHER = ("AKIDCIOTHERACCOUNT0000000000000000000", "ciOtherSecretKey000000000000000000")
CI_TEMP = ("AKIDCITEMPORARY000000000000000000000", "ciTempSecretKey0000000000000000000", "tok-ci-1")
SMH_OTHER = ("AKIDSMHOTHERACCOUNT000000000000000000", "smhOtherSecretKey00000000000000000")
SMH_TEMP = ("AKIDSMHTEMPORARY00000000000000000000", "smhTempSecretKey000000000000000000", "tok-1")
COS_TEMP = ("AKIDCOSTEMPORARY00000000000000000000", "cosTempSecretKey000000000000000000", "tok-cos-1")
ACCOUNTS = [
    {"app_id": OTHER_APP_ID, "owner_uin": OTHER_UIN,
     "keys": [{"secret_id": k[0], "secret_key": k[1]} for k in (CI_OTHER, SMH_OTHER)]},
    {"app_id": APP_ID,
     "keys": [{"secret_id": k[0], "secret_key": k[1], "token": k[2]} for k in (CI_TEMP, SMH_TEMP, COS_TEMP)]},
]

