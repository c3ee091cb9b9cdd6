pytest_plugins = ["portaflow.backends.aws.pytest_plugin"]
