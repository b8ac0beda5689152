"""What people read: cards, resident and staff texts, labels, and the callback-data codec."""
