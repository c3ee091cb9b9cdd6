"""AWS Step Functions backend: ASL in JSONata mode, a SAM project, and an offline harness on moto."""
