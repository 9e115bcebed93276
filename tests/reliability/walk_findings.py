"""The walk's findings as minimal plans (WALK_PLAN form, walk.plan_of), replayed by test_walk.py::test_finding when
WALK_FINDINGS=1. Each was cut down from a random walk by hand (/work/notes/walk-findings.md has the story); `open`
names a phrase of the violation it still shows on main, None once fixed (the plan must then pass).
"""

from __future__ import annotations

from typing import Any

UPLOAD_B = ["upload", {"key": "b", "album": None, "file": "f1.jpg"}]
UPLOAD_A_TRIP = ["upload", {"key": "a", "album": "Trip", "file": "f1.jpg"}]
SET_ON = ["edit", {"edit": "space_set", "spaceSet": True}]

FINDINGS: dict[str, dict[str, Any]] = {
    "W1 up --replace of a Space": {"open": None, "plan": [["replace", {"urn": "Space::space-b"}]]},
    "W2/W10 up --replace of the MediaLibrary holding a file": {"open": None, "plan": [
        UPLOAD_B, ["replace", {"urn": "MediaLibrary::media-library"}], ["revert", {}]]},
    "W3 multi_album flip of a set entry holding a file": {"open": None, "plan": [
        SET_ON, UPLOAD_B, ["edit", {"edit": "multi_album", "key": "b", "multi_album": True, "albums": {"x": "Trip"}}]]},
    "W4 spaceSet true then false": {"open": None, "plan": [
        SET_ON, ["edit", {"edit": "space_set", "spaceSet": False}]]},
    "W5 threshold 3, a key removed": {"open": None, "plan": [
        ["edit", {"edit": "add_space", "key": "c", "space": {}}], ["edit", {"edit": "space_set", "spaceSet": 3}],
        ["upload", {"key": "c", "album": None, "file": "f1.jpg"}], ["edit", {"edit": "remove_space", "key": "a"}]]},
    "W6 spaceSet true to chunks 2 with a file": {"open": None, "plan": [
        SET_ON, UPLOAD_B, ["edit", {"edit": "space_set", "spaceSet": {"chunks": 2}}]]},
    "W7 up --replace of an Album": {"open": None, "plan": [["replace", {"urn": "Album::album-a-x"}]]},
    "W8 keys a-b and a b": {"open": None, "plan": [
        ["edit", {"edit": "add_space", "key": "a-b", "space": {}}],
        ["edit", {"edit": "add_space", "key": "a b", "space": {}}]]},
    "W9 kill between two album renames of a set": {"open": None, "plan": [
        SET_ON, ["edit", {"edit": "add_album", "key": "a", "album": "y", "name": "Family"}], UPLOAD_A_TRIP,
        ["upload", {"key": "a", "album": "Family", "file": "f2.jpg"}],
        ["kill", {"edit": "batch", "after_mutations": 2, "edits": [
            {"edit": "rename_album", "key": "a", "album": "x", "name": "Zoo"},
            {"edit": "rename_album", "key": "a", "album": "y", "name": "Work"}]}]]},
    "W11 leaving a set and renaming an album in one up": {"open": None, "plan": [
        SET_ON, ["edit", {"edit": "batch", "edits": [
            {"edit": "rename_album", "key": "a", "album": "x", "name": "Zoo"},
            {"edit": "space_set", "spaceSet": False}]}]]},
    "W12 Space replacement with a full album": {"open": None, "plan": [
        UPLOAD_A_TRIP, ["edit", {"edit": "space_force", "key": "a", "force_destroy": True}],
        ["edit", {"edit": "multi_album", "key": "a", "multi_album": False, "albums": None}], ["revert", {}]]},
    "W13 leaving a set by a threshold while multi_album flips": {"open": None, "plan": [
        ["edit", {"edit": "space_set", "spaceSet": 2}],
        ["edit", {"edit": "batch", "edits": [
            {"edit": "space_set", "spaceSet": 3},
            {"edit": "multi_album", "key": "a", "multi_album": False, "albums": None}]}], ["revert", {}]]},
    "W14 force_destroy moved from the set to an entry": {"open": None, "plan": [
        SET_ON, ["edit", {"edit": "force", "forceDestroy": True}],
        ["edit", {"edit": "batch", "edits": [{"edit": "space_force", "key": "b", "force_destroy": True},
                                             {"edit": "force", "forceDestroy": False}]}]]},
    "W15 threshold crossing back, the set's delete refused": {"open": None, "plan": [
        ["edit", {"edit": "space_set", "spaceSet": 2}], UPLOAD_A_TRIP,
        ["edit", {"edit": "remove_space", "key": "a"}], ["revert", {}]]},
    "W16 spaceSet true then false with a file in an album": {"open": None, "plan": [
        SET_ON, UPLOAD_A_TRIP, ["edit", {"edit": "space_set", "spaceSet": False}], ["revert", {}]]},
    "W17 up --replace of a library whose space keeps its files by its own force_destroy": {"open": None, "plan": [
        ["edit", {"edit": "force", "forceDestroy": True}],
        ["edit", {"edit": "space_force", "key": "b", "force_destroy": False}], UPLOAD_B,
        ["replace", {"urn": "MediaLibrary::media-library"}], ["revert", {}]]},
    "W18 key 'a b', its mark 'a-b': its delete left the space to itself": {"open": None, "plan": [
        ["edit", {"edit": "add_space", "key": "a b", "space": {}}],
        ["upload", {"key": "a b", "album": None, "file": "f1.jpg"}],
        ["edit", {"edit": "remove_space", "key": "a b"}]]},
    "W19 a set entry's force_destroy false under the set's true": {"open": None, "plan": [
        SET_ON, ["edit", {"edit": "force", "forceDestroy": True}],
        ["edit", {"edit": "space_force", "key": "b", "force_destroy": False}], UPLOAD_B,
        ["edit", {"edit": "remove_space", "key": "b"}]]},
    "W20 an album of a space without force_destroy under the stack's forceDestroy": {"open": None, "plan": [
        ["edit", {"edit": "force", "forceDestroy": True}],
        ["edit", {"edit": "space_force", "key": "a", "force_destroy": False}], UPLOAD_A_TRIP,
        ["edit", {"edit": "remove_space", "key": "a"}]]},
    "W21 leaving a set by a threshold, renaming an album, the set's delete refused, then revert": {
        "open": None, "plan": [
            ["edit", {"edit": "add_space", "key": "d", "space": {}}], ["edit", {"edit": "space_set", "spaceSet": 3}],
            ["upload", {"key": "d", "album": None, "file": "f1.jpg"}],
            ["upload", {"key": "a", "album": "Trip", "file": "f2.jpg"}],
            ["edit", {"edit": "batch", "edits": [{"edit": "rename_album", "key": "a", "album": "x", "name": "Family"},
                                                 {"edit": "remove_space", "key": "d"}]}],
            ["revert", {}]]},
}
