"""Azure Durable Functions target: generated Python v2 function apps, run offline by a Durable Task host."""
