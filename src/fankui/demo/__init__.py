"""The demo data set behind `fankui demo` (not a Django app: it only calls the apps' services)."""
