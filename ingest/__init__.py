"""Ingest: the events log (its owner) and the stage that turns events into memories."""
