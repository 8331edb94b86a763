"""The portal keeps no table of its own: the wording of its messages is the outbox's ``notify.MessageTemplate``
(``wording`` lists them), which it had before staff notices were worded that way too (portal migration 0002)."""
