# tests/unit/unit.mk: (filled in by the unit-test work)
unit-test:
sanitizer-test:
