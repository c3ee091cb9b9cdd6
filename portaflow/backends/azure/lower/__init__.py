"""IR -> the Python of Durable Functions orchestrators (:mod:`.python`)."""
