"""The local process stack: `make run` (everything embedded) and `make run-scaleout` (Kafka,
the GCS emulator, a relay and two workers), every piece a real process on 127.0.0.1."""
