"""What ships to Azure inside the generated app: ``portaflow_azure_runtime.py`` is copied into it as it is
(standard library, ``azure.durable_functions`` and ``portaflow.dsl`` only), and the offline executor runs the
very same module in-process."""
