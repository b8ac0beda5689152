"""Files from outside: the homes CSV and invitation letters, the contractor's planning."""
