"""Ownership marks: interrupted creates are adopted, never duplicated; foreign objects need adopt=True."""

from __future__ import annotations

import pytest

from smh_provider import ownership, state
from smh_provider.errors import ProviderError
from smh_provider.resources import AlbumProvider, BucketProvider, MediaLibraryProvider, SpaceProvider
from smh_provider.resources import space as space_module
from tests import sdk_clients

BUCKET = {"bucket_name": "photos", "app_id": "1250000000", "region": "ap-guangzhou"}
MARK = "proj/stack/media-bucket"


def create(provider, **inputs):  # type: ignore[no-untyped-def]
    checked = provider.check({}, inputs)
    assert checked.failures == [], checked.failures
    return provider.create(checked.inputs)


def counts(cloud) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return cloud.control("GET", "requests")["mutating_counts"]


def test_bucket_carries_the_mark_but_tags_do_not_show_it(cloud) -> None:  # type: ignore[no-untyped-def]
    p = BucketProvider()
    made = create(p, **BUCKET, tags={"team": "media"}, owner=MARK)
    tagging = sdk_clients.cos(cloud.url).get_bucket_tagging(Bucket=made.id)["TagSet"]["Tag"]
    assert {t["Key"]: t["Value"] for t in tagging} == {"team": "media", ownership.OWNER_TAG: MARK}
    read = p.read(made.id, made.outs).outs
    assert read["tags"] == {"team": "media"} and read["owner"] == MARK


def test_bucket_with_our_mark_is_adopted(cloud) -> None:  # type: ignore[no-untyped-def]
    sdk_clients.cos(cloud.url).create_bucket(Bucket="photos-1250000000", Tagging=f"{ownership.OWNER_TAG}={MARK}")
    made = create(BucketProvider(), **BUCKET, acl="private", owner=MARK)
    assert made.id == "photos-1250000000"
    assert len(cloud.control("GET", "inventory")["buckets"]) == 1


def test_foreign_bucket_is_never_taken_by_adopt_only_by_adopt_from(cloud) -> None:  # type: ignore[no-untyped-def]
    sdk = sdk_clients.cos(cloud.url)
    sdk.create_bucket(Bucket="photos-1250000000", Tagging=f"{ownership.OWNER_TAG}=other/prod/media-bucket")
    refused = (r"ownership mark 'other/prod/media-bucket': stack 'prod' of project 'other'.*adopt=True never takes "
               r"over.*adopt_from='other/prod/media-bucket'")
    with pytest.raises(ProviderError, match=refused):
        create(BucketProvider(), **BUCKET, owner=MARK, adopt=True)
    with pytest.raises(ProviderError, match=r"not 'other/dev/media-bucket' as adopt_from says"):
        create(BucketProvider(), **BUCKET, owner=MARK, adopt_from="other/dev/media-bucket")
    assert counts(cloud).get("cos:PutBucketTagging") is None  # nothing was taken over
    made = create(BucketProvider(), **BUCKET, owner=MARK, adopt_from="other/prod/media-bucket", tags={"team": "media"})
    tagging = sdk.get_bucket_tagging(Bucket=made.id)["TagSet"]["Tag"]
    assert {t["Key"]: t["Value"] for t in tagging} == {"team": "media", ownership.OWNER_TAG: MARK}


def test_unmarked_bucket_needs_adopt(cloud) -> None:  # type: ignore[no-untyped-def]
    sdk_clients.cos(cloud.url).create_bucket(Bucket="photos-1250000000")
    with pytest.raises(ProviderError, match=r"carries no ownership mark.*set adopt=True"):
        create(BucketProvider(), **BUCKET, owner=MARK)
    with pytest.raises(ProviderError, match=r"no ownership mark, while adopt_from expects"):
        create(BucketProvider(), **BUCKET, owner=MARK, adopt_from="other/prod/media-bucket")
    assert create(BucketProvider(), **BUCKET, owner=MARK, adopt=True).outs["owner"] == MARK


def test_adopt_from_must_be_a_mark(cloud) -> None:  # type: ignore[no-untyped-def]
    bad = BucketProvider().check({}, {**BUCKET, "owner": MARK, "adopt_from": "local"}).failures
    assert [f.property for f in bad] == ["adopt_from"] and "<project>/<stack>/<resource>" in bad[0].reason
    own = BucketProvider().check({}, {**BUCKET, "owner": MARK, "adopt_from": MARK}).failures
    assert "this resource's own mark" in own[0].reason


def test_bucket_taken_by_another_stack_is_gone_for_the_old_one(cloud) -> None:  # type: ignore[no-untyped-def]
    old = BucketProvider()
    made = create(old, **BUCKET, owner=MARK)
    sdk_clients.cos(cloud.url).put_object(Bucket=made.id, Key="keep.jpg", Body=b"x")
    create(BucketProvider(), **BUCKET, owner="proj/steal/media-bucket", adopt_from=MARK)
    assert old.read(made.id, made.outs).id == ""  # refresh of the old stack: gone from it
    old.delete(made.id, made.outs)  # the old stack's delete leaves it alone
    assert counts(cloud).get("cos:DeleteBucket") is None
    assert [b["bucket"] for b in cloud.control("GET", "inventory")["buckets"]] == [made.id]


def test_bucket_mark_removed_outside_is_drift(cloud) -> None:  # type: ignore[no-untyped-def]
    p = BucketProvider()
    made = create(p, **BUCKET, owner=MARK)
    sdk_clients.cos(cloud.url).delete_bucket_tagging(Bucket=made.id)
    read = p.read(made.id, made.outs).outs
    assert read["owner"] is None
    news = p.check(read, {**BUCKET, "owner": MARK}).inputs
    assert p.diff(made.id, read, news).changes
    p.update(made.id, read, news)
    assert p.read(made.id, read).outs["owner"] == MARK


LIB_MARK = "proj/stack/media-library"


def test_library_create_whose_answer_is_lost_is_not_duplicated(cloud) -> None:  # type: ignore[no-untyped-def]
    cloud.control("POST", "faults", {"errors": [
        {"service": "smh", "action": "CreateLibrary", "probability": 1.0, "code": "InternalError", "phase": "after"}]})
    made = create(MediaLibraryProvider(), library_name="photos", owner=LIB_MARK)
    libs = cloud.control("GET", "inventory")["libraries"]
    assert [lib["LibraryId"] for lib in libs] == [made.id]
    assert counts(cloud) == {"smh:CreateLibrary": 1}


def test_library_with_our_mark_is_adopted_not_recreated(cloud) -> None:  # type: ignore[no-untyped-def]
    first = create(MediaLibraryProvider(), library_name="photos", owner=LIB_MARK)
    cloud.control("DELETE", "requests")
    # The engine lost the state of `first` (the run died): the next create adopts it, with the declared settings.
    again = create(MediaLibraryProvider(), library_name="photos", remark="now declared", owner=LIB_MARK)
    assert again.id == first.id and again.outs["remark"] == "now declared"
    assert "smh:CreateLibrary" not in counts(cloud)
    assert len(cloud.control("GET", "inventory")["libraries"]) == 1


def test_replacement_does_not_adopt_the_library_it_replaces(cloud) -> None:  # type: ignore[no-untyped-def]
    p = MediaLibraryProvider()
    first = create(p, library_name="photos", owner=LIB_MARK)
    # `pulumi up --replace`: no Diff, a Check without old inputs, then Create. The state still holds the library
    # (state.py reads it): the create must not adopt it.
    stack, name = LIB_MARK.split("/")[1], LIB_MARK.split("/")[2]
    state.reset(stack, state.Snapshot({("library", first.id): {name}}))
    news = p.check({}, {"library_name": "photos", "owner": LIB_MARK}).inputs
    second = p.create(news)
    assert second.id != first.id
    # The replacement's run died before saving it: `second` is marked and in no resource of the state. The next
    # run's create adopts it instead of making a third library, and still never takes `first`.
    assert p.create(news).id == second.id


def test_library_with_other_mode_and_our_mark_is_an_error(cloud) -> None:  # type: ignore[no-untyped-def]
    create(MediaLibraryProvider(), library_name="photos", multi_album=True, owner=LIB_MARK)
    with pytest.raises(ProviderError, match="creation-only settings differ: multi_album"):
        create(MediaLibraryProvider(), library_name="photos", multi_album=False, owner=LIB_MARK)


def test_unmarked_library_on_the_bucket_needs_adopt(cloud) -> None:  # type: ignore[no-untyped-def]
    sdk_clients.cos(cloud.url).create_bucket(Bucket="photos-1250000000")
    where = {"bucket": "photos-1250000000", "bucket_region": "ap-guangzhou"}
    foreign = create(MediaLibraryProvider(), library_name="photos", **where)
    with pytest.raises(ProviderError, match=r"already bound to bucket photos-1250000000 and it carries no "
                                            r"ownership mark.*adopt=True"):
        create(MediaLibraryProvider(), library_name="photos", owner=LIB_MARK, **where)
    taken = create(MediaLibraryProvider(), library_name="photos", owner=LIB_MARK, adopt=True, **where)
    assert taken.id == foreign.id and taken.outs["owner"] == LIB_MARK
    assert len(cloud.control("GET", "inventory")["libraries"]) == 1


def test_library_of_another_stack_needs_adopt_from(cloud) -> None:  # type: ignore[no-untyped-def]
    sdk_clients.cos(cloud.url).create_bucket(Bucket="photos-1250000000")
    where = {"bucket": "photos-1250000000", "bucket_region": "ap-guangzhou"}
    p = MediaLibraryProvider()
    theirs = create(p, library_name="photos", owner="proj/local/media-library", **where)
    with pytest.raises(ProviderError, match=r"ownership mark 'proj/local/media-library': stack 'local'.*adopt_from="):
        create(MediaLibraryProvider(), library_name="photos", owner=LIB_MARK, adopt=True, **where)
    taken = create(MediaLibraryProvider(), library_name="photos", owner=LIB_MARK,
                   adopt_from="proj/local/media-library", **where)
    assert taken.id == theirs.id and taken.outs["owner"] == LIB_MARK
    assert p.read(theirs.id, theirs.outs).id == ""  # the old stack's refresh: gone from it
    p.delete(theirs.id, theirs.outs)  # and its delete leaves it in place
    assert [lib["LibraryId"] for lib in cloud.control("GET", "inventory")["libraries"]] == [theirs.id]


def test_space_create_whose_answer_is_lost_is_not_duplicated(cloud) -> None:  # type: ignore[no-untyped-def]
    lib = create(MediaLibraryProvider(), library_name="tenants", multi_tenant=True)
    space_module._listed.clear()
    cloud.control("POST", "faults", {"drops": [
        {"service": "smhdata", "action": "CreateSpace", "probability": 1.0, "phase": "after"}]})
    made = create(SpaceProvider(), library_id=lib.id, owner="proj/stack/space-a")
    spaces = cloud.control("GET", "inventory")["spaces"]
    assert [s["spaceId"] for s in spaces] == [made.id]
    cloud.control("DELETE", "faults")
    space_module._listed.clear()  # a new provider process after a crash
    again = create(SpaceProvider(), library_id=lib.id, owner="proj/stack/space-a", public_read=True)
    assert again.id == made.id
    assert len(cloud.control("GET", "inventory")["spaces"]) == 1


def test_empty_album_of_that_name_is_adopted_full_one_is_not(cloud) -> None:  # type: ignore[no-untyped-def]
    lib = create(MediaLibraryProvider(), library_name="albums", multi_album=True)
    p = AlbumProvider()
    create(p, library_id=lib.id, album_name="trip")
    create(p, library_id=lib.id, album_name="trip")  # empty: adopted
    import requests

    base = f"http://{lib.id}.api.tencentsmh.cn/api/v1"
    token = requests.get(f"{base}/token", params={"library_id": lib.id, "library_secret": lib.outs["library_secret"],
                                                  "grant": "admin"}, proxies={"http": cloud.url},
                         timeout=10).json()["accessToken"]
    requests.put(f"{base}/file/{lib.id}/-/trip/a.jpg", params={"access_token": token}, data=b"jpeg",
                 proxies={"http": cloud.url}, timeout=10).raise_for_status()
    with pytest.raises(ProviderError, match="holds 1 files"):
        create(p, library_id=lib.id, album_name="trip")


def test_modify_library_after_internal_error_reads_before_retrying(cloud) -> None:  # type: ignore[no-untyped-def]
    p = MediaLibraryProvider()
    made = create(p, library_name="photos", owner=LIB_MARK)
    cloud.control("POST", "faults", {"errors": [
        {"service": "smh", "action": "ModifyLibrary", "probability": 1.0, "code": "InternalError", "phase": "after"}]})
    news = p.check(made.outs, {"library_name": "photos", "remark": "changed", "owner": LIB_MARK}).inputs
    updated = p.update(made.id, made.outs, news)
    assert updated.outs["remark"] == "changed"
    assert cloud.control("GET", "requests")["counts"]["smh:ModifyLibrary"] == 1  # applied once, proven by a read


def test_force_destroy_is_on_the_tags_and_an_older_state_gets_it(cloud) -> None:  # type: ignore[no-untyped-def]
    p = BucketProvider()
    made = create(p, **BUCKET, owner=MARK, force_destroy=True)
    assert bucket_tags_of(cloud, made.id)[ownership.FORCE_TAG] == "true" and made.outs["force_tag"] is True
    news = p.check({}, {**BUCKET, "owner": MARK, "force_destroy": True}).inputs
    assert p.plan(made.id, made.outs, news).changes is False
    older = {k: v for k, v in made.outs.items() if k != "force_tag"}  # a state written before the tag existed
    sdk_clients.cos(cloud.url).put_bucket_tagging(Bucket=made.id, Tagging={"TagSet": {"Tag": [
        {"Key": ownership.OWNER_TAG, "Value": MARK}]}})
    assert p.plan(made.id, older, news).changes is True  # an update, and no call to know it
    updated = p.update(made.id, older, news)
    assert updated.outs["force_tag"] is True and bucket_tags_of(cloud, made.id)[ownership.FORCE_TAG] == "true"
    assert p.read(made.id, updated.outs).outs["tags"] == {}  # the tag is not one of the user's


def bucket_tags_of(cloud, bucket: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    tags = sdk_clients.cos(cloud.url).get_bucket_tagging(Bucket=bucket)["TagSet"]["Tag"]
    return {t["Key"]: t["Value"] for t in ([tags] if isinstance(tags, dict) else tags)}
