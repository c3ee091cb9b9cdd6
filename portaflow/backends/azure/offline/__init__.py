"""Offline execution of a generated Azure Functions app: a Durable Task Framework host around the real SDK."""
