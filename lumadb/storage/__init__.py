"""SQLite storage shared by the three protocols: connections, files, executor, query cache."""
