"""Fankui's text library: everything about Chinese text that needs no database and no Django.

- ``text``: normalising (full-width forms, case, spaces) and jieba words with the product's domain dictionary.
- ``ngrams``, ``classify``: character n-gram features and the text classifiers ``fankui train`` fits.
- ``masking``: personal data (phones, ID numbers, bank cards, e-mail, plates, names) found and masked.
- ``rules``: urgency, kind and nature by cue words, for a fresh install; ``patterns`` makes their patterns fast.
- ``dedupe``: near-duplicate texts (MinHash over character bigrams); ``paraphrase``: the same problem at the same
  place told in other words.
- ``places``, ``labels``, ``cluster``: what a text is about (its places and issue words), a topic's label, and
  grouping many texts into hot topics.
- ``csvio``: reading the CSV files the command-line tools take.

The Django apps build on it: ``analysis`` (each case's analysis, corrections, retraining) and ``topics`` (duplicates
and hot topics of the cases). Nothing here may import Django or another part of Fankui
(tests/nlp/test_the_text_library_needs_no_django.py).
"""
