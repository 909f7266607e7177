"""The fact desk's domain: cited facts, their store, and search. No Discord here."""
