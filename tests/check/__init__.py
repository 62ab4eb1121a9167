"""Tests of the independent plan checker, one file per module of sampler/check/."""
