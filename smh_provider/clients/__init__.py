"""Thin wrappers over the official SDKs. Every failure comes out as an `errors.CloudError`."""
