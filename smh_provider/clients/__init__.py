"""Thin wrappers over the official SDKs (COS/CI, SMH) and the SMH data plane. They own the wire.

How a resource calls the cloud
------------------------------
A resource module reads as intent - find, create, modify, delete - and never sees a wire shape, a retry
or an SDK exception:

    c = cos.client(self.settings(), region)          # one client per settings (and region), built lazily
    try:
        lib = smh.find_library(c, library_id)        # a model (smh.Library), or NotFound
    except NotFound:
        return ReadResult("", {})                    # gone: read drops it, delete treats it as done

Rules every client function follows (add new ones the same way):

* **Python values in and out.** Arguments and results use the resource's property names and plain
  values (`settings={"multi_album": True}`, `tags={"team": "media"}`); the client's own tables
  (`smh.SETTINGS`, `smhdata.SPACE_SETTINGS`) map them to API fields. Errors are the classes of
  `smh_provider.errors`, each with what was being done (`doing`, written once, in the client function),
  the Tencent code and the request id.
* **Retries live here.** Each client's `call(fn, doing, idempotent=True, landed=None)` runs the SDK call
  under `retry.DEFAULT_POLICY`: an idempotent call (read, delete, absolute update) is retried on
  throttling, 5xx and transport errors. A call that must not apply twice passes `idempotent=False`; after
  a failure that may have applied it is retried only once `landed()` (given by the resource, which knows
  its ownership mark) says it did not (`RetryPolicy.look_before_retry`). Resource code keeps only named
  waiters (`retry.wait_for`) for eventual consistency.
* **`find_<thing>()` returns the thing or raises NotFound** - never None.
* Every create/read/update/delete runs inside one operation (`operation.run`, opened by BaseProvider): its
  retries and waits share the budget `smh:operationTimeoutSeconds` and speak on the resource's line. A
  resource that calls clients from its own threads hands them the operation: `pool.submit(operation.carry(fn))`.
* Long-lived clients and per-process values are `memo.PerKey`, never a hand-rolled lock and dict.
"""
