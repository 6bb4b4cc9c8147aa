"""Build and documentation steps run by the Makefile: bytecode for the deployment, the OpenAPI document."""
