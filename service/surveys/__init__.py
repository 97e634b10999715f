"""Evaluation surveys after an event: built by organisers, sent to those who came, answered anonymously."""
