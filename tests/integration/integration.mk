# tests/integration/integration.mk
integration-test:
