"""Messages to people: an outbox written in the same transaction as the change that causes them."""
