"""What ships to AWS inside the generated project: ``portaflow_aws_runtime.py`` is copied into its Lambda
package as it is (standard library and ``portaflow.stepcall``, shipped beside it as ``portaflow/stepcall.py``;
boto3 clients are passed in), and the offline harness calls the very same module in-process."""
