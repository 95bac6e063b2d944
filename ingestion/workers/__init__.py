"""Workers: the table worker (Postgres queue), the Kafka consumer-group worker, the outbox relay."""
